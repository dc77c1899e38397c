/**
 * The capturer real environments use: every inline function is checked for captured variables
 * and located in the bundle, so task executors can rebuild it from the same module.
 */
import type { FunctionCapturer } from '../FunctionCapturer.js';
import { captureUserFunction } from './captureUserFunction.js';

/**
 * A capturer for functions of the bundle unpacked at `bundleRoot`; without one, modules are named
 * by absolute path (which only task executors on the same machine can load, as in a mini cluster).
 */
export function bundleFunctionCapturer(bundleRoot?: string): FunctionCapturer {
  return (fn, { bound }) => captureUserFunction(fn, { bound, bundleRoot });
}
