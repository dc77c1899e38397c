/**
 * The seam between the stream API and the code that turns an inline function from `main()` into
 * something a task executor can run. The API only needs "function in, {@link UserFunctionSpec}
 * out"; how the source is found, checked for captured variables and located in the bundle is
 * another module's business, so the environment takes the capturer as an option and tests can
 * pass a trivial one.
 */
import type { UserFunctionSpec } from '../jobgraph/jobGraph.js';

/**
 * Captures a user function for shipping. It throws (for instance a `CapturedVariableError`) when
 * the function cannot run on a worker; the API lets that error reach the caller of `map()` etc.,
 * so a bad function is refused while the job is being built.
 *
 * The API always calls it as `capturer ← StreamContext.capture ← DataStream/KeyedStream method ←
 * user code`, so a capturer that reads the call site from a stack trace finds the user's frame
 * three frames above itself.
 */
export type FunctionCapturer = (fn: Function, options: { bound?: Record<string, unknown> }) => UserFunctionSpec;
