/**
 * The optional second argument of every method that takes a user function. Functions shipped to
 * task executors may not capture local variables; values they need are passed here explicitly and
 * bound by name when the function runs on a worker.
 */

/** Options of a function-taking method such as `map(fn, { with: { factor } })`. */
export interface FunctionOptions {
  /** Values the function may read by name on the worker; they must survive JSON. */
  with?: Record<string, unknown>;
}
