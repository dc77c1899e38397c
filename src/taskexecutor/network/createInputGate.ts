/**
 * Builds the input gate of one task input from its deployment descriptor: a local channel for
 * each producer in this task executor, a remote one for every other.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import type { InputChannelDescriptor } from '../../runtime/TaskDeploymentDescriptor.js';
import type { ExchangeCounters } from './ExchangeCounters.js';
import type { InputChannelOptions, RemoteInputChannelFactory } from './InputChannel.js';
import { SingleInputGate, type InputGate } from './InputGate.js';
import { LocalInputChannel } from './LocalInputChannel.js';
import { DEFAULT_PARTITION_REQUEST_TIMEOUT_MS, type ResultPartitionManager } from './ResultPartitionManager.js';

/** The credits each channel starts with, unless configured (Flink's buffers per channel). */
export const DEFAULT_INITIAL_CREDIT = 2;

/** Options of {@link createInputGate}. */
export interface InputGateOptions {
  /** One channel per producer subtask, in the order of the descriptor's `channels`. */
  channels: readonly InputChannelDescriptor[];
  /** This task executor's address as producers advertise it; a channel whose `producerAddress` equals it (as a string) is local. */
  localAddress: string;
  /** This task executor's partitions, read by local channels. */
  partitions: ResultPartitionManager;
  /** Creates remote channels (see `PartitionRequestClientFactory` in `network/grpc`). */
  connectRemote: RemoteInputChannelFactory;
  /** The consumer's execution attempt id. */
  consumerAttemptId: string;
  /** The credits each channel starts with; defaults to {@link DEFAULT_INITIAL_CREDIT}. At most this many batches per channel are on the consumer side. */
  initialCredit?: number;
  /**
   * How long a local channel waits for its partition to be registered; defaults to
   * {@link DEFAULT_PARTITION_REQUEST_TIMEOUT_MS}. A remote channel waits as long as the producer's
   * task executor allows (the `partitionRequestTimeoutMs` of its exchange handler).
   */
  requestTimeoutMs?: number;
  /** Where what the channels deliver is counted, by kind of channel; nowhere when not given. */
  counters?: ExchangeCounters;
}

/** Fills in the defaults of {@link InputGateOptions} and checks them. */
export function compileInputChannelOptions(options: InputGateOptions): InputChannelOptions {
  const initialCredit = options.initialCredit ?? DEFAULT_INITIAL_CREDIT;
  if (!Number.isSafeInteger(initialCredit) || initialCredit < 1) {
    throw new InvalidArgumentError(`initialCredit must be a positive integer, got ${initialCredit}`);
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_PARTITION_REQUEST_TIMEOUT_MS;
  if (!(requestTimeoutMs >= 0))
    throw new InvalidArgumentError(`requestTimeoutMs must be zero or more, got ${requestTimeoutMs}`);
  return { initialCredit, requestTimeoutMs, consumerAttemptId: options.consumerAttemptId };
}

/** Creates the channels and the gate; the channels request their subpartitions at once. */
export function createInputGate(options: InputGateOptions): InputGate {
  const channelOptions = compileInputChannelOptions(options);
  const { counters } = options;
  const channels = options.channels.map((descriptor) => {
    if (descriptor.producerAddress === options.localAddress) {
      const local = new LocalInputChannel(descriptor, options.partitions, channelOptions);
      return counters ? counters.counting('local', local) : local;
    }
    const remote = options.connectRemote(descriptor, channelOptions);
    return counters ? counters.counting('network', remote) : remote;
  });
  return new SingleInputGate(channels);
}
