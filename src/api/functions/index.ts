/**
 * Shipping user functions from `main()` to task executors: capture on the driver, load on a worker.
 */
export { BoundValueError } from './BoundValueError.js';
export { CapturedVariableError, type CapturedVariable, type CapturedVariableKind } from './CapturedVariableError.js';
export { bundleFunctionCapturer } from './bundleFunctionCapturer.js';
export { captureUserFunction, type CaptureOptions } from './captureUserFunction.js';
export { findCallSite, type CallSite } from './findCallSite.js';
export { clearUserFunctionCache, loadUserFunction, type LoadOptions } from './loadUserFunction.js';
export { UnsupportedFunctionError } from './UnsupportedFunctionError.js';
export { UserFunctionLoadError } from './UserFunctionLoadError.js';
