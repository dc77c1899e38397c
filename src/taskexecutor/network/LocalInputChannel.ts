/**
 * An input channel whose producer runs in this task executor (Flink's `LocalInputChannel`): it
 * reads the partition manager directly, without a socket, under the same credit rule as a remote
 * channel. Forward edges between tasks in one task executor therefore never leave the process.
 */
import type { InputChannelDescriptor } from '../../runtime/TaskDeploymentDescriptor.js';
import type { InputChannel, InputChannelListener, InputChannelOptions } from './InputChannel.js';
import type { ResultPartitionManager } from './ResultPartitionManager.js';
import type { ResultSubpartitionView } from './ResultSubpartitionView.js';

/** Reads a subpartition of this task executor's partition manager. */
export class LocalInputChannel implements InputChannel {
  private readonly abort = new AbortController();
  private view: ResultSubpartitionView | undefined;
  /** Credit granted before the subpartition was found; handed to the view once it is. */
  private creditBeforeView: number;
  private closed = false;
  private started = false;

  /** A channel reading `descriptor` from `partitions`. */
  constructor(
    readonly descriptor: InputChannelDescriptor,
    private readonly partitions: ResultPartitionManager,
    private readonly options: InputChannelOptions,
  ) {
    this.creditBeforeView = options.initialCredit;
  }

  start(listener: InputChannelListener): void {
    if (this.started) throw new Error('LocalInputChannel.start() called twice');
    this.started = true;
    void this.run(listener);
  }

  addCredit(credit: number): void {
    if (this.closed) return;
    if (this.view) this.view.addCredit(credit);
    else this.creditBeforeView += credit;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.view?.release();
  }

  private async run(listener: InputChannelListener): Promise<void> {
    try {
      const { partitionId, subpartitionIndex } = this.descriptor;
      const view = await this.partitions.requestSubpartition(partitionId, subpartitionIndex, {
        timeoutMs: this.options.requestTimeoutMs,
        signal: this.abort.signal,
        consumer: this.options.consumerAttemptId,
      });
      if (this.closed) return view.release();
      this.view = view;
      view.addCredit(this.creditBeforeView);
      while (true) {
        const next = await view.next();
        if (this.closed) return;
        if (next === 'end') return listener.onEndOfPartition();
        listener.onBatch(next);
      }
    } catch (error) {
      if (!this.closed) listener.onError(error as Error);
    }
  }
}
