/**
 * The messages between a task's worker thread, which runs the user's operators, and the task
 * executor's main thread, which owns the network, the job manager connection and the process's
 * output. Record batches cross as v8-serialized bytes whose buffer is transferred, not copied.
 * A worker runs one task at a time; each task arrives as a `run` message, and a worker kept after
 * a clean end (TaskWorkerLibraryCache) gets the next task of its bundle the same way.
 */
import type { SerializedError } from '../../common/status.js';
import type { TaskDeploymentDescriptor } from '../../runtime/TaskDeploymentDescriptor.js';
import type { ClientSecurity } from '../../rpc/security/ClientSecurity.js';

/** What a worker needs to run one task (the `run` message). */
export interface TaskWorkerData {
  descriptor: TaskDeploymentDescriptor;
  /** The unpacked bundle the user functions are loaded from; undefined for local absolute modules. */
  bundleRoot: string | undefined;
  /** Records per batch a source emits. */
  batchSize?: number;
  /** How a driver's `main()` reaches its job manager (TLS, the cluster's secret); plaintext without credentials when not given. */
  clientSecurity?: ClientSecurity;
}

/** From the main thread to the worker. */
export type ToWorker =
  /** Run this task (the first message of a new worker, and of a kept one each time it is reused). */
  | { type: 'run'; task: TaskWorkerData }
  /** One batch of the task's network input. */
  | { type: 'input'; channel: number; count: number; payload: ArrayBuffer }
  /** The barrier of checkpoint `checkpointId` arrived on input channel `channel` (already recycled). */
  | { type: 'barrier'; channel: number; checkpointId: number }
  /** A source task starts checkpoint `checkpointId`: snapshot, then send the barrier downstream (`stop`: then stop the source). */
  | { type: 'triggerCheckpoint'; checkpointId: number; stop: boolean }
  /** Checkpoint `checkpointId` completed: sinks commit what it covers. */
  | { type: 'checkpointComplete'; checkpointId: number }
  /** Every channel of the input has ended. */
  | { type: 'inputEnd' }
  /** The input failed (a producer was lost); the task fails with this error. */
  | { type: 'inputFailed'; error: SerializedError }
  /** The main thread took a request (`emit`, `finishOutput`, `collect`) with this id. */
  | { type: 'ack'; id: number; error?: SerializedError }
  /** Stop as soon as possible. */
  | { type: 'cancel' };

/** From the worker to the main thread. */
export type FromWorker =
  /** The worker loaded and is about to open the operators. */
  | { type: 'started' }
  /** One batch for subpartition `channel` of output `output`; acknowledged once the partition took it. */
  | { type: 'emit'; id: number; output: number; channel: number; count: number; payload: ArrayBuffer }
  /** Output `output` has had its last batch; acknowledged once its partition finished. */
  | { type: 'finishOutput'; id: number; output: number }
  /** The barrier of `checkpointId` for every subpartition of every output; acknowledged once all took it. */
  | { type: 'broadcastBarrier'; id: number; checkpointId: number }
  /** The task's snapshot for `checkpointId` (a v8-serialized TaskStateSnapshot), for the job master. */
  | { type: 'checkpointState'; checkpointId: number; state: ArrayBuffer }
  /** The task could not snapshot for `checkpointId`. */
  | { type: 'declineCheckpoint'; checkpointId: number; reason: string }
  /** Records of a collect sink; acknowledged once the job manager took them. */
  | { type: 'collect'; id: number; records: unknown[] }
  /** Lines a print sink wrote, newline-terminated. */
  | { type: 'print'; text: string }
  /** A line of the user API's logger (a driver's `env.getLogger()`), newline-terminated. */
  | { type: 'log'; text: string }
  /** A driver's memory, measured in its worker (`v8.getHeapStatistics()`): while it runs and once more at its end. */
  | { type: 'memory'; heapUsedBytes: number; directUsedBytes: number; nativeUsedBytes: number }
  /** The worker consumed one input batch of `channel`; its producer gets one credit back. */
  | { type: 'recycle'; channel: number }
  /**
   * The run ended; `reusable` says whether the worker may take another task of its bundle (its
   * heap is well below its limit and nothing of the run is left waiting).
   */
  | { type: 'finished'; numRecordsIn: number; numRecordsOut: number; reusable: boolean }
  | { type: 'failed'; error: SerializedError }
  | { type: 'canceled' };
