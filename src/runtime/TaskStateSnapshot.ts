/**
 * What one subtask hands its job master for a checkpoint (Flink's TaskStateSnapshot): the state of
 * each operator of its chain and, for a task that starts with a source, the source's position. It
 * travels and is stored v8-serialized; the job master keeps it as bytes and hands the same bytes
 * back to the subtask's next attempt, so only the task side reads it.
 */

/** The snapshot of one subtask for one checkpoint. */
export interface TaskStateSnapshot {
  /** The id of the checkpoint the snapshot belongs to. */
  checkpointId: number;
  /** Where the task's source stood after the last record it emitted before the barrier. */
  source?: unknown;
  /** The state of each stateful operator of the chain, by its key (its uid, else its position in the chain). */
  operators: Record<string, unknown>;
}
