/**
 * What streams need from the environment that created them, and nothing more: numbering new
 * pipeline nodes, capturing user functions, declaring sinks and running a collect job. Streams
 * hold this narrow interface rather than the environment itself, so the environment's public
 * surface stays the one users should call.
 */
import type { UserFunctionSpec } from '../jobgraph/jobGraph.js';
import type { FunctionOptions } from './FunctionOptions.js';
import type { OperatorTransformation } from './Transformation.js';

/** The environment as streams see it. Internal to the API. */
export interface StreamContext {
  /** The id of the next pipeline node, in creation order. */
  nextTransformationId(): number;
  /**
   * Checks a user function given to `method` (and its options) and captures it for shipping;
   * throws an InvalidArgumentError, or the capturer's own error, when it cannot be shipped.
   */
  capture(method: string, fn: unknown, options: FunctionOptions | undefined): UserFunctionSpec;
  /** Declares a sink that the next `execute()` runs. */
  addSink(sink: OperatorTransformation): void;
  /** Runs every declared sink plus `sink` (a collect sink) as one job and returns that sink's records. */
  executeAndCollect(sink: OperatorTransformation, jobName: string | undefined): Promise<unknown[]>;
}
