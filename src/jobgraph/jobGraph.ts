/**
 * The job graph as the domain sees it: what `main()` builds and a cluster executes. It mirrors
 * `flotilla.v1.JobGraph` (proto/flotilla/v1/job_graph.proto) in plain TypeScript, so that the API,
 * the job master and the task executor never import generated code; `src/runtime/service/jobGraph.ts` converts.
 */
import type { ResolvedRuntimeMode } from './RuntimeExecutionMode.js';

/** How records travel along an edge from producer subtasks to consumer subtasks. */
export type ShipStrategy = 'forward' | 'hash' | 'rebalance' | 'broadcast';

/** A function from the user's `main()`, shipped as source and evaluated on a worker. */
export interface UserFunctionSpec {
  /** The function's source text (`Function.prototype.toString`). */
  source: string;
  /** The bundle-relative path of the module that defined it, whose top-level imports it may use. */
  module: string;
  /** The 1-based line where it starts in that module, for error messages. */
  line: number;
  /** Values passed to it explicitly, as one JSON object bound by name; "{}" when none. */
  boundValuesJson: string;
}

/** The resources a subtask or slot has or asks for; zero means "any". */
export interface ResourceProfile {
  cpus: number;
  heapMemoryMb: number;
  directMemoryMb: number;
  nativeMemoryMb: number;
}

/** One operator of a vertex's chain; `uid` is the id the user gave it (`.uid()`), under which its state is filed. */
export type OperatorSpec = { name: string; uid?: string } & (
  | { kind: 'collectionSource'; records: unknown[] }
  /** `monitorIntervalMs` above zero: the folder is watched for new files and the source never ends. */
  | { kind: 'textFileSource'; path: string; monitorIntervalMs?: number }
  /** `count` absent: without end; `recordsPerSecond` absent: as fast as the job takes them. */
  | { kind: 'generatorSource'; fn: UserFunctionSpec; count?: number; recordsPerSecond?: number }
  | { kind: 'jetStreamSource'; servers: string[]; stream: string; subject?: string; startSequence?: number }
  | { kind: 'sequenceSource'; from: number; to: number }
  | { kind: 'map'; fn: UserFunctionSpec }
  | { kind: 'flatMap'; fn: UserFunctionSpec }
  | { kind: 'filter'; fn: UserFunctionSpec }
  | { kind: 'reduce'; fn: UserFunctionSpec }
  | { kind: 'sum'; field: string }
  | { kind: 'count' }
  | { kind: 'textFileSink'; path: string; overwrite: boolean }
  | { kind: 'printSink'; prefix: string }
  | { kind: 'collectSink' }
  | {
      kind: 'driver';
      applicationId: string;
      applicationName: string;
      entry: string;
      args: string[];
      resources: ResourceProfile;
      defaultParallelism: number;
      properties: Record<string, string>;
    }
);

/** The kinds of operators. */
export type OperatorKind = OperatorSpec['kind'];

/** A node of the graph: a chain of operators run as `parallelism` subtasks. */
export interface JobVertex {
  id: string;
  name: string;
  parallelism: number;
  operators: OperatorSpec[];
  resources?: ResourceProfile;
}

/** An edge from one vertex's output to another's input. */
export interface JobEdge {
  sourceVertexId: string;
  targetVertexId: string;
  shipStrategy: ShipStrategy;
  /** For hash edges: the key selector. */
  keySelector?: UserFunctionSpec;
  /**
   * For hash edges into a keyed reduce, sum or count of a BATCH job: the producers fold their
   * records by key with that aggregation and send partials (a combiner) instead of every record.
   */
  preAggregate?: boolean;
}

/** What a job does when a task fails. */
export type RestartStrategy =
  | { kind: 'none' }
  | { kind: 'fixedDelay'; maxAttempts: number; delayMs: number }
  | { kind: 'exponentialDelay'; initialDelayMs: number; maxDelayMs: number; multiplier: number; maxAttempts: number };

/** Where a job's code comes from. */
export type BundleReference = { artifactId: string } | { uri: string };

/** Where a job restores its state from (Flink's SavepointRestoreSettings). */
export interface SavepointRestoreSettings {
  /**
   * A savepoint or checkpoint folder (one holding `_metadata`), or a job's checkpoint folder
   * `<state.checkpoints.dir>/<jobId>`, meaning its latest complete `chk-<n>`.
   */
  path: string;
  /** Whether state that maps to no operator of the graph is skipped instead of refusing the job. */
  allowNonRestoredState: boolean;
}

/** A job: vertices in topological order, edges, and settings. */
export interface JobGraph {
  name: string;
  vertices: JobVertex[];
  edges: JobEdge[];
  bundle?: BundleReference;
  restartStrategy?: RestartStrategy;
  defaultParallelism: number;
  properties: Record<string, string>;
  /** How the job runs (see RuntimeExecutionMode.ts); absent means STREAMING, as before modes existed. */
  runtimeMode?: ResolvedRuntimeMode;
  /** The savepoint the job restores its state from; absent means it starts without state. */
  savepoint?: SavepointRestoreSettings;
}
