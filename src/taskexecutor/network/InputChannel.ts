/**
 * One channel of an input gate: reads one subpartition of one producer (Flink's `InputChannel`).
 * Channels differ only in how they reach the producer: a local channel reads this task executor's
 * partition manager directly, a remote one streams over gRPC. Both follow the same credit rule:
 * the producer sends at most one batch per credit, and the consumer grants a credit per batch it is
 * done with, so at most `initialCredit` batches per channel are ever on the consumer side.
 */
import type { InputChannelDescriptor } from '../../runtime/TaskDeploymentDescriptor.js';
import type { NetworkBatch } from './NetworkBatch.js';

/** What a channel reports to its gate. After `onEndOfPartition` or `onError` it reports nothing more. */
export interface InputChannelListener {
  /** A batch arrived; it used one credit. */
  onBatch(batch: NetworkBatch): void;
  /** The producer sent everything; the channel is finished. */
  onEndOfPartition(): void;
  /** The channel failed: producer gone, partition released or not found, stream broken. */
  onError(error: Error): void;
}

/** How a channel is set up; filled in by the gate. */
export interface InputChannelOptions {
  /** The credits granted before the first batch. */
  initialCredit: number;
  /** The consumer's execution attempt id, sent with the partition request (for the producer's logs and errors). */
  consumerAttemptId: string;
  /** How long a local channel waits for its partition to be registered, in milliseconds. */
  requestTimeoutMs: number;
}

/** The reading end of one subpartition, local or remote. */
export interface InputChannel {
  /** The subpartition read and where its producer runs. */
  readonly descriptor: InputChannelDescriptor;
  /** Requests the subpartition with the initial credit and reports to `listener`; called once. */
  start(listener: InputChannelListener): void;
  /** Lets the producer send `credit` more batches. */
  addCredit(credit: number): void;
  /** Stops reading and releases what the channel holds; the listener hears nothing more. Idempotent. */
  close(): void;
}

/** Creates the channel to a producer in another task executor (implemented over gRPC in `network/grpc`). */
export type RemoteInputChannelFactory = (
  descriptor: InputChannelDescriptor,
  options: InputChannelOptions,
) => InputChannel;
