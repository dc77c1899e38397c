/**
 * The network input of a task, as its worker thread sees it: batches the main thread read from the
 * input gate arrive as messages and are handed to the pipeline in order. A batch counts as
 * consumed when the pipeline asks for the next one, and only then is its producer given the
 * credit back, so the records in flight to a slow task stay bounded by the credits.
 *
 * Checkpoint barriers arrive here too, and are aligned over the input's channels
 * ({@link CheckpointBarrierAligner}): batches of a channel whose barrier came are held back until
 * every channel's barrier came; the pipeline then gets one barrier event, and the held batches
 * follow it.
 */
import { deserializeError, type SerializedError } from '../../common/status.js';
import { CheckpointBarrierAligner } from '../checkpointing/CheckpointBarrierAligner.js';
import type { InputElement } from '../checkpointing/CheckpointBarrierEvent.js';
import { deserializeBatch } from './serializeBatch.js';

type Item =
  | { channel: number; payload: ArrayBuffer }
  | { channel: number; barrier: number }
  | { end: true }
  | { error: SerializedError };

/** An async iterable of input batches and aligned barriers fed by {@link WorkerInput.push}. */
export class WorkerInput implements AsyncIterable<InputElement> {
  private queue: Item[] = [];
  private wake: (() => void) | undefined;
  private readonly aligner: CheckpointBarrierAligner;
  /** Batches of blocked channels, in arrival order, waiting for the alignment to end. */
  private held: Item[] = [];

  /**
   * @param recycle Called with a batch's channel once the pipeline has processed it.
   * @param numberOfChannels How many channels the input has (barriers are aligned over them).
   */
  constructor(
    private readonly recycle: (channel: number) => void,
    numberOfChannels = 1,
  ) {
    this.aligner = new CheckpointBarrierAligner(numberOfChannels);
  }

  /** Adds a batch, a barrier, the end of input, or the input's failure. */
  push(item: Item): void {
    this.queue.push(item);
    this.wake?.();
    this.wake = undefined;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<InputElement> {
    let consumed: number | undefined;
    for (;;) {
      if (consumed !== undefined) this.recycle(consumed);
      consumed = undefined;
      while (this.queue.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
      const item = this.queue.shift() as Item;
      if ('end' in item) return;
      if ('error' in item) throw deserializeError(item.error);
      if (this.aligner.isBlocked(item.channel)) {
        this.held.push(item);
        continue;
      }
      if ('barrier' in item) {
        const outcome = this.aligner.onBarrier(item.channel, item.barrier);
        if (outcome.released) this.release();
        if (outcome.aligned !== undefined) yield { checkpointId: outcome.aligned };
        continue;
      }
      consumed = item.channel;
      yield deserializeBatch(item.payload);
    }
  }

  /** Puts the held batches back at the head of the queue, in the order they arrived. */
  private release(): void {
    if (this.held.length === 0) return;
    this.queue = [...this.held, ...this.queue];
    this.held = [];
  }
}
