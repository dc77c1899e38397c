/**
 * A checkpoint barrier as a task's operators see it once its input channels are aligned: an
 * element of the task's input between two record batches. Record batches are arrays and a barrier
 * is not, so one `Array.isArray` tells them apart.
 */

/** The barrier of checkpoint `checkpointId`, aligned over every input channel. */
export interface CheckpointBarrierEvent {
  readonly checkpointId: number;
}

/** An element of a task's network input: a batch of records or an aligned barrier. */
export type InputElement = unknown[] | CheckpointBarrierEvent;

/** Whether `element` is a barrier rather than a batch of records. */
export function isBarrier(element: InputElement): element is CheckpointBarrierEvent {
  return !Array.isArray(element);
}
