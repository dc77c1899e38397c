/**
 * The logical pipeline `main()` builds, before it becomes a job graph (Flink's Transformation
 * DAG, from which its StreamGraph is made). Every API call adds one node pointing at its input;
 * nothing is chained or numbered yet, so parallelism and names can still change until `execute()`,
 * and branches that never reach a sink are simply never visited.
 */
import type { OperatorSpec, ShipStrategy, UserFunctionSpec } from '../jobgraph/jobGraph.js';

/** A node of the logical pipeline. */
export type Transformation = OperatorTransformation | PartitionTransformation;

/** A source, an operator or a sink: something that becomes one operator of a vertex's chain. */
export interface OperatorTransformation {
  readonly type: 'operator';
  /** Creation order within the environment; inputs always have smaller ids than their consumers. */
  readonly id: number;
  /** The stream this operator reads; absent for sources. */
  readonly input?: Transformation;
  /** What the operator does; its `name` is replaced by {@link OperatorTransformation.name} in the graph. */
  readonly operator: OperatorSpec;
  /** The operator's display name, `Map` unless the user renamed it. */
  name: string;
  /** The id the user gave the operator (`uid()`), under which its state is filed. */
  uid?: string;
  /** The parallelism the user set, if any. */
  parallelism?: number;
  /** Set for operators that cannot run in parallel (the collection source, collect sinks). */
  readonly nonParallel: boolean;
}

/** A partitioning between two operators (keyBy, rebalance, broadcast); it becomes an edge, not an operator. */
export interface PartitionTransformation {
  readonly type: 'partition';
  readonly id: number;
  readonly input: Transformation;
  readonly shipStrategy: Exclude<ShipStrategy, 'forward'>;
  /** For `hash`: the key selector. */
  readonly keySelector?: UserFunctionSpec;
}
