/** A checkpoint every task acknowledged (Flink's CompletedCheckpoint): each subtask's state, as bytes. */

/** The key of a subtask's state in a checkpoint: `<vertexId>/<subtaskIndex>`. */
export function subtaskStateKey(vertexId: string, subtaskIndex: number): string {
  return `${vertexId}/${subtaskIndex}`;
}

/** A completed checkpoint (or savepoint) of one job. */
export interface CompletedCheckpoint {
  jobId: string;
  checkpointId: number;
  /** When it was triggered, in milliseconds since the epoch. */
  timestamp: number;
  /** When its last acknowledgement arrived, in milliseconds since the epoch. */
  completedAt: number;
  /** Each subtask's v8-serialized TaskStateSnapshot, by {@link subtaskStateKey}. */
  states: Map<string, Uint8Array>;
  /** A savepoint: written to a folder of its own and never discarded by checkpoint retention. */
  savepoint?: boolean;
  /** The folder that holds its `_metadata`, once stored in one; undefined when kept in memory only. */
  externalPath?: string;
}
