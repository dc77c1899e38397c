/**
 * The consumer's half of an ExchangeData call: the partition request first, then one AddCredit per
 * burst of recycled batches. Credits granted while the previous message is still unsent are merged
 * into one message, so a fast consumer does not send a message per batch.
 */
import type { ExchangeDataRequest, PartitionRequest } from '../../../../generated/flotilla/v1/task_executor_service.js';

/** The request messages of one ExchangeData call, as an async iterable for the nice-grpc client. */
export class ExchangeRequestStream implements AsyncIterable<ExchangeDataRequest> {
  private pendingCredit = 0;
  private ended = false;
  private wake: (() => void) | undefined;

  /** A stream that starts with `request`. */
  constructor(private readonly request: PartitionRequest) {}

  /** Grants `credit` more batches to the producer. Ignored after {@link end}. */
  addCredit(credit: number): void {
    if (this.ended) return;
    this.pendingCredit += credit;
    this.notify();
  }

  /** Ends the stream after the credit already granted; the iteration returns instead of waiting forever. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ExchangeDataRequest, void> {
    yield { message: { $case: 'partitionRequest', partitionRequest: this.request } };
    while (true) {
      if (this.pendingCredit > 0) {
        const credit = this.pendingCredit;
        this.pendingCredit = 0;
        yield { message: { $case: 'addCredit', addCredit: { credit } } };
      } else if (this.ended) {
        return;
      } else {
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
