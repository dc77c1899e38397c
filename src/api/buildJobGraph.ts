/**
 * Translates the logical pipeline into the job graph a cluster runs (Flink's StreamGraph →
 * JobGraph step). It walks back from the sinks, so branches without a sink are left out; gives
 * each operator its parallelism; and chains operators into vertices the way Flink does, so that
 * records between chained operators are handed over by a function call instead of crossing a
 * network edge.
 *
 * An operator joins its predecessor's chain when the edge between them is forward (no keyBy,
 * rebalance or broadcast in between and equal parallelism) and the predecessor has no other
 * consumer. A keyBy becomes a `hash` edge that carries the key selector to the vertex of the
 * operator after it; a parallelism change without a partitioning becomes a `rebalance` edge; a
 * stream used by several operators gets one edge per consumer.
 */
import { InvalidArgumentError } from '../common/errors.js';
import type {
  BundleReference,
  JobEdge,
  JobGraph,
  JobVertex,
  OperatorSpec,
  RestartStrategy,
  ShipStrategy,
  UserFunctionSpec,
} from '../jobgraph/jobGraph.js';
import { isKeyedAggregation } from '../jobgraph/keyedAggregation.js';
import { resolveRuntimeMode } from '../jobgraph/resolveRuntimeMode.js';
import type { RuntimeExecutionMode } from '../jobgraph/RuntimeExecutionMode.js';
import type { OperatorTransformation, PartitionTransformation } from './Transformation.js';

/** The job-wide settings the graph is built with. */
export interface JobGraphSettings {
  /** The job's final name (any prefix already applied). */
  jobName: string;
  /** The parallelism of operators that set none. */
  defaultParallelism: number;
  bundle?: BundleReference;
  restartStrategy?: RestartStrategy;
  properties: Record<string, string>;
  /** The mode asked for; AUTOMATIC is resolved here from the job's sources. STREAMING when unset. */
  runtimeMode?: RuntimeExecutionMode;
  /** Whether a BATCH job pre-aggregates before its keyed aggregations; true when unset. */
  preAggregation?: boolean;
}

/** The graph, and where each sink ended up. */
export interface JobGraphTranslation {
  graph: JobGraph;
  /** The id of the vertex each sink ends; collect sinks are known by this id in the job's result. */
  sinkVertexIds: ReadonlyMap<OperatorTransformation, string>;
}

/** An edge between two operators after partitionings have been folded into it. */
interface OperatorInput {
  from: OperatorTransformation;
  shipStrategy: ShipStrategy;
  keySelector?: UserFunctionSpec;
}

/** Operators that run together in one vertex. */
interface Chain {
  operators: OperatorTransformation[];
  parallelism: number;
  input?: OperatorInput;
}

/** Builds the job graph that runs `sinks` and everything they read from. */
export function buildJobGraph(
  sinks: readonly OperatorTransformation[],
  settings: JobGraphSettings,
): JobGraphTranslation {
  if (sinks.length === 0) throw new InvalidArgumentError('a job graph needs at least one sink');
  const parallelismOf = (operator: OperatorTransformation): number =>
    operator.parallelism ?? (operator.nonParallel ? 1 : settings.defaultParallelism);

  const operators = reachableOperators(sinks);
  const inputs = new Map<OperatorTransformation, OperatorInput>();
  const consumerCounts = new Map<OperatorTransformation, number>();
  for (const operator of operators) {
    const input = resolveInput(operator, parallelismOf);
    if (input === undefined) continue;
    inputs.set(operator, input);
    consumerCounts.set(input.from, (consumerCounts.get(input.from) ?? 0) + 1);
  }

  const chains: Chain[] = [];
  const chainOf = new Map<OperatorTransformation, Chain>();
  for (const operator of operators) {
    const input = inputs.get(operator);
    const chainable = input !== undefined && input.shipStrategy === 'forward' && consumerCounts.get(input.from) === 1;
    let chain = chainable ? chainOf.get(input.from) : undefined;
    if (chain === undefined) {
      chain = { operators: [], parallelism: parallelismOf(operator), input };
      chains.push(chain);
    }
    chain.operators.push(operator);
    chainOf.set(operator, chain);
  }

  // Sources first, then the rest; within each group creation order, which is topological because
  // a chain's input always comes from a chain whose head was created earlier.
  const ordered = [...chains.filter((chain) => !chain.input), ...chains.filter((chain) => chain.input)];
  const vertexIds = new Map(ordered.map((chain, index) => [chain, `vertex-${index + 1}`]));
  const vertexIdOf = (chain: Chain): string => vertexIds.get(chain) as string;

  const vertices: JobVertex[] = ordered.map((chain) => toVertex(chain, vertexIdOf(chain)));
  const sources = ordered.filter((chain) => !chain.input).map((chain) => chain.operators[0].operator);
  const runtimeMode = resolveRuntimeMode(settings.runtimeMode ?? 'STREAMING', sources);
  const preAggregate = runtimeMode === 'BATCH' && settings.preAggregation !== false;
  const edges: JobEdge[] = ordered.flatMap((chain) =>
    chain.input
      ? [
          toEdge(
            chain.input,
            vertexIdOf(chainOf.get(chain.input.from) as Chain),
            vertexIdOf(chain),
            preAggregate && preAggregates(chain),
          ),
        ]
      : [],
  );
  const sinkVertexIds = new Map(sinks.map((sink) => [sink, vertexIdOf(chainOf.get(sink) as Chain)]));

  const graph: JobGraph = {
    name: settings.jobName,
    vertices,
    edges,
    defaultParallelism: settings.defaultParallelism,
    properties: { ...settings.properties },
    runtimeMode,
  };
  if (settings.bundle) graph.bundle = settings.bundle;
  if (settings.restartStrategy) graph.restartStrategy = settings.restartStrategy;
  return { graph, sinkVertexIds };
}

/** Every operator the sinks depend on, in creation order. */
function reachableOperators(sinks: readonly OperatorTransformation[]): OperatorTransformation[] {
  const seen = new Map<number, OperatorTransformation>();
  for (const sink of sinks) {
    for (
      let node = sink as OperatorTransformation | PartitionTransformation | undefined;
      node !== undefined;
      node = node.input
    ) {
      if (node.type !== 'operator') continue;
      if (seen.has(node.id)) break;
      seen.set(node.id, node);
    }
  }
  return [...seen.values()].sort((a, b) => a.id - b.id);
}

/** The operator an operator reads from, with the partitionings in between folded into one strategy. */
function resolveInput(
  operator: OperatorTransformation,
  parallelismOf: (operator: OperatorTransformation) => number,
): OperatorInput | undefined {
  let partition: PartitionTransformation | undefined;
  let node = operator.input;
  while (node?.type === 'partition') {
    // The partitioning closest to the consumer decides, as `a.rebalance().broadcast()` means broadcast.
    partition ??= node;
    node = node.input;
  }
  if (node === undefined) return undefined;
  if (partition) return { from: node, shipStrategy: partition.shipStrategy, keySelector: partition.keySelector };
  return { from: node, shipStrategy: parallelismOf(node) === parallelismOf(operator) ? 'forward' : 'rebalance' };
}

function toVertex(chain: Chain, id: string): JobVertex {
  return {
    id,
    name: chain.operators.map((operator) => operator.name).join(' -> '),
    parallelism: chain.parallelism,
    operators: chain.operators.map((operator): OperatorSpec => ({
      ...operator.operator,
      name: operator.name,
      ...(operator.uid !== undefined ? { uid: operator.uid } : {}),
    })),
  };
}

/**
 * Whether the producers of `chain` may fold their records with its keyed aggregation before the
 * exchange (a combiner): in BATCH mode a keyed reduce, sum or count fed by a hash edge only emits
 * final values, and folding partials gives the same result because reduce functions are
 * associative (Flink's contract for them), as sums and counts are.
 */
function preAggregates(chain: Chain): boolean {
  return chain.input?.shipStrategy === 'hash' && isKeyedAggregation(chain.operators[0].operator);
}

function toEdge(input: OperatorInput, sourceVertexId: string, targetVertexId: string, preAggregate: boolean): JobEdge {
  const edge: JobEdge = { sourceVertexId, targetVertexId, shipStrategy: input.shipStrategy };
  if (input.keySelector) edge.keySelector = input.keySelector;
  if (preAggregate) edge.preAggregate = true;
  return edge;
}
