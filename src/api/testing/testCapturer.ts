/**
 * The capturer the API's unit tests pass to the environment: it ships a function's text with no
 * checks, so those tests exercise the API and its translation, not function capture (which
 * `src/api/functions` tests on its own).
 */
import type { UserFunctionSpec } from '../../jobgraph/jobGraph.js';
import type { FunctionCapturer } from '../FunctionCapturer.js';

/** Captures any function as its source text, `test.js` line 1, with the bound values as JSON. */
export const testCapturer: FunctionCapturer = (fn, { bound }): UserFunctionSpec => ({
  source: String(fn),
  module: 'test.js',
  line: 1,
  boundValuesJson: JSON.stringify(bound ?? {}),
});
