/**
 * Where completed checkpoints are kept (Flink's CheckpointStorage): in the job manager's memory
 * (Flink's JobManagerCheckpointStorage, enough to restore after a task failure) or in a folder
 * (FileSystemCheckpointStorage) that outlives the job manager.
 */
import type { CompletedCheckpoint } from './CompletedCheckpoint.js';

/** Keeps completed checkpoints. */
export interface CheckpointStorage {
  /**
   * Persists a checkpoint; it counts as completed only once this resolved. Resolves with the
   * folder that holds its `_metadata`, or undefined when it is kept in memory only.
   */
  store(checkpoint: CompletedCheckpoint): Promise<string | undefined>;
  /** Deletes a checkpoint that is no longer retained. */
  discard(checkpoint: CompletedCheckpoint): Promise<void>;
}

/** Keeps nothing beyond what the coordinator holds in memory. */
export const MEMORY_CHECKPOINT_STORAGE: CheckpointStorage = {
  async store() {
    return undefined;
  },
  async discard() {},
};
