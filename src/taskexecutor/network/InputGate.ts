/**
 * The consumer side of one input of a task (Flink's `SingleInputGate`): merges the batches of its
 * channels, one per producer subtask, in arrival order (each channel's own order is kept) and
 * returns a credit to a channel's producer each time the task is done with one of its batches.
 */
import { InputChannelError, InputGateClosedError } from './errors.js';
import type { InputChannel } from './InputChannel.js';
import type { NetworkBatch } from './NetworkBatch.js';

/** A batch and the channel it came from. */
export interface InputGateBatch {
  /** The index of the channel (of the producer subtask) in the gate's descriptor. */
  channelIndex: number;
  /** The batch. */
  batch: NetworkBatch;
}

/** The consumer side of one input of a task, as the task runner uses it. */
export interface InputGate {
  /** The number of channels (producer subtasks). */
  readonly numberOfChannels: number;
  /**
   * The next batch from any channel, or `undefined` once every channel has ended and every batch
   * was returned. Rejects with an {@link InputChannelError} (naming the producer's address and the
   * partition) as soon as a channel fails; the gate is then failed and closes its other channels.
   * Rejects with an {@link InputGateClosedError} after {@link close}, so a cancelled task never
   * mistakes a cancellation for the end of its input.
   */
  next(): Promise<InputGateBatch | undefined>;
  /**
   * The task is done with one batch of channel `channelIndex`: its producer gets one credit back.
   * Call once per batch returned by {@link next}; does nothing once the channel ended or the gate
   * closed or failed.
   */
  recycle(channelIndex: number): void;
  /** Stops every channel (the task is cancelled); pending and later {@link next} calls reject with {@link InputGateClosedError}. Idempotent. */
  close(): void;
}

type Waiter = { resolve: (value: InputGateBatch | undefined) => void; reject: (error: Error) => void };

/** An input gate over already created channels; starts them at once. */
export class SingleInputGate implements InputGate {
  private readonly queue: InputGateBatch[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly ended: boolean[];
  private readonly outstanding: number[];
  private endedChannels = 0;
  private failure: Error | undefined;

  /** Starts every channel; each must not have been started before. */
  constructor(private readonly channels: readonly InputChannel[]) {
    this.ended = channels.map(() => false);
    this.outstanding = channels.map(() => 0);
    channels.forEach((channel, channelIndex) =>
      channel.start({
        onBatch: (batch) => this.onBatch(channelIndex, batch),
        onEndOfPartition: () => this.onEndOfPartition(channelIndex),
        onError: (error) =>
          this.fail(
            error instanceof InputChannelError ? error : new InputChannelError(channelIndex, channel.descriptor, error),
          ),
      }),
    );
  }

  get numberOfChannels(): number {
    return this.channels.length;
  }

  next(): Promise<InputGateBatch | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    const head = this.queue.shift();
    if (head) {
      this.outstanding[head.channelIndex] += 1;
      return Promise.resolve(head);
    }
    if (this.endedChannels === this.channels.length) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  recycle(channelIndex: number): void {
    if (!Number.isInteger(channelIndex) || channelIndex < 0 || channelIndex >= this.channels.length) {
      throw new RangeError(`recycle(${channelIndex}): the gate has channels 0 to ${this.channels.length - 1}`);
    }
    if (this.failure || this.ended[channelIndex]) return;
    if (this.outstanding[channelIndex] === 0) {
      throw new Error(
        `recycle(${channelIndex}) without a batch of that channel to recycle; recycle once per batch next() returned`,
      );
    }
    this.outstanding[channelIndex] -= 1;
    this.channels[channelIndex].addCredit(1);
  }

  close(): void {
    this.fail(new InputGateClosedError());
  }

  private onBatch(channelIndex: number, batch: NetworkBatch): void {
    if (this.failure) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.outstanding[channelIndex] += 1;
      waiter.resolve({ channelIndex, batch });
    } else {
      this.queue.push({ channelIndex, batch });
    }
  }

  private onEndOfPartition(channelIndex: number): void {
    if (this.failure || this.ended[channelIndex]) return;
    this.ended[channelIndex] = true;
    this.endedChannels += 1;
    if (this.endedChannels === this.channels.length && this.queue.length === 0) {
      for (const waiter of this.waiters.splice(0)) waiter.resolve(undefined);
    }
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.queue.length = 0;
    for (const channel of this.channels) channel.close();
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}
