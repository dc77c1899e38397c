/**
 * The network input of a task, as its worker thread sees it: batches the main thread read from the
 * input gate arrive as messages and are handed to the pipeline in order. A batch counts as
 * consumed when the pipeline asks for the next one, and only then is its producer given the
 * credit back, so the records in flight to a slow task stay bounded by the credits.
 */
import { deserializeError, type SerializedError } from '../../common/status.js';
import { deserializeBatch } from './serializeBatch.js';

type Item = { channel: number; payload: ArrayBuffer } | { end: true } | { error: SerializedError };

/** An async iterable of input batches fed by {@link WorkerInput.push}. */
export class WorkerInput implements AsyncIterable<unknown[]> {
  private readonly queue: Item[] = [];
  private wake: (() => void) | undefined;

  /** @param recycle Called with a batch's channel once the pipeline has processed it. */
  constructor(private readonly recycle: (channel: number) => void) {}

  /** Adds a batch, the end of input, or the input's failure. */
  push(item: Item): void {
    this.queue.push(item);
    this.wake?.();
    this.wake = undefined;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<unknown[]> {
    let consumed: number | undefined;
    for (;;) {
      if (consumed !== undefined) this.recycle(consumed);
      consumed = undefined;
      while (this.queue.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
      const item = this.queue.shift() as Item;
      if ('end' in item) return;
      if ('error' in item) throw deserializeError(item.error);
      consumed = item.channel;
      yield deserializeBatch(item.payload);
    }
  }
}
