/**
 * Splits a producer's output batch into one batch per consumer subtask, following the edge's ship
 * strategy (Flink's `StreamPartitioner`s). The network output sends each non-empty batch to its
 * channel; keeping this apart from the network code makes the routing testable on its own.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import type { ShipStrategy, UserFunctionSpec } from '../../jobgraph/jobGraph.js';
import { checkSynchronous } from './checkSynchronous.js';
import type { FunctionLoader, UserFunction } from './FunctionLoader.js';
import type { OutputPartitioner } from './OutputPartitioner.js';
import { selectChannel } from '../../runtime/partitioning/selectChannel.js';

const SHIP_STRATEGIES: ReadonlySet<string> = new Set<ShipStrategy>(['forward', 'hash', 'rebalance', 'broadcast']);

/** How many string keys a hash partitioner remembers the channel of before it starts over. */
const CHANNEL_CACHE_KEYS = 65_536;

/** What a {@link RecordPartitioner} needs. */
export interface RecordPartitionerOptions {
  /** The edge's ship strategy. */
  shipStrategy: ShipStrategy;
  /** How many consumer subtasks the edge feeds. */
  numberOfChannels: number;
  /** The producer's subtask index: the forward channel and where round-robin starts. */
  subtaskIndex: number;
  /** The loaded key selector; required for `hash` edges. */
  keySelector?: UserFunction;
}

/** Options of {@link RecordPartitioner.create}: as {@link RecordPartitionerOptions}, with the selector as a spec. */
export interface RecordPartitionerSpecOptions extends Omit<RecordPartitionerOptions, 'keySelector'> {
  /** The edge's key selector, loaded with `loader`; required for `hash` edges. */
  keySelector?: UserFunctionSpec;
  /** Rebuilds the key selector. */
  loader: FunctionLoader;
}

/** Routes records of one producer subtask to the consumer subtasks of one edge. */
export class RecordPartitioner implements OutputPartitioner {
  private readonly shipStrategy: ShipStrategy;
  private readonly numberOfChannels: number;
  private readonly keySelector: UserFunction | undefined;
  private readonly forwardChannel: number;
  private nextChannel: number;
  /** The channel of string keys seen lately: a key's channel never changes, and finding it costs a canonical string and a hash. */
  private readonly channelOfString = new Map<string, number>();

  /**
   * @throws InvalidArgumentError when `numberOfChannels` is not a positive integer, the strategy is
   *   unknown, or a hash edge has no key selector.
   */
  constructor(options: RecordPartitionerOptions) {
    const { shipStrategy, numberOfChannels, subtaskIndex } = options;
    if (!Number.isSafeInteger(numberOfChannels) || numberOfChannels < 1) {
      throw new InvalidArgumentError(`the number of channels must be a positive integer, got ${numberOfChannels}`);
    }
    if (!SHIP_STRATEGIES.has(shipStrategy)) {
      throw new InvalidArgumentError(`unknown ship strategy "${String(shipStrategy)}"`);
    }
    if (shipStrategy === 'hash' && !options.keySelector) {
      throw new InvalidArgumentError('a hash edge needs a key selector');
    }
    this.shipStrategy = shipStrategy;
    this.numberOfChannels = numberOfChannels;
    this.keySelector = options.keySelector;
    this.forwardChannel = subtaskIndex % numberOfChannels;
    this.nextChannel = subtaskIndex % numberOfChannels;
  }

  /** Loads the key selector of a hash edge with `loader`, then builds the partitioner. */
  static async create(options: RecordPartitionerSpecOptions): Promise<RecordPartitioner> {
    const { keySelector, loader, ...rest } = options;
    const selector = rest.shipStrategy === 'hash' && keySelector ? await loader(keySelector) : undefined;
    return new RecordPartitioner({ ...rest, keySelector: selector });
  }

  /**
   * One batch per channel (index = consumer subtask), empty for channels that get nothing:
   * - `forward`: everything to channel `subtaskIndex % numberOfChannels` (forward edges are 1:1);
   * - `hash`: each record to {@link selectChannel} of its key;
   * - `rebalance`: round-robin per record, starting at `subtaskIndex` and continuing across batches;
   * - `broadcast`: every channel gets `records` itself, the same array, which must not be mutated.
   *
   * Errors thrown by the key selector propagate unchanged.
   */
  partition(records: unknown[]): unknown[][] {
    const channels: unknown[][] = [];
    if (this.shipStrategy === 'broadcast') {
      for (let channel = 0; channel < this.numberOfChannels; channel++) channels.push(records);
      return channels;
    }
    for (let channel = 0; channel < this.numberOfChannels; channel++) channels.push([]);
    switch (this.shipStrategy) {
      case 'forward':
        channels[this.forwardChannel] = records;
        break;
      case 'rebalance':
        for (const record of records) {
          channels[this.nextChannel].push(record);
          this.nextChannel = this.nextChannel + 1 === this.numberOfChannels ? 0 : this.nextChannel + 1;
        }
        break;
      case 'hash': {
        const keySelector = this.keySelector as UserFunction;
        for (const record of records) {
          const key = checkSynchronous(keySelector(record), 'the key selector');
          channels[
            typeof key === 'string' ? this.channelOfStringKey(key) : selectChannel(key, this.numberOfChannels)
          ].push(record);
        }
        break;
      }
    }
    return channels;
  }

  private channelOfStringKey(key: string): number {
    let channel = this.channelOfString.get(key);
    if (channel === undefined) {
      channel = selectChannel(key, this.numberOfChannels);
      if (this.channelOfString.size >= CHANNEL_CACHE_KEYS) this.channelOfString.clear();
      this.channelOfString.set(key, channel);
    }
    return channel;
  }

  /** Nothing: every record was routed as it came. */
  flush(): unknown[][] {
    return [];
  }
}
