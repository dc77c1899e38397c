/**
 * The pre-aggregation (combiner) of a BATCH job, in front of a hash exchange into a keyed reduce,
 * sum or count: each producer subtask folds its records by key with the consumer's own aggregation
 * and sends one partial `[key, value]` per key when its input ends, instead of every record,
 * routed by the key it already computed. The consumer then aggregates the partials. This is valid because the aggregations are associative: sums and counts
 * are, and Flink's contract for a `ReduceFunction` is that it be associative too, since Flink
 * itself combines before shuffles in batch jobs. A reduce function that is not associative would
 * give results that depend on how records were split; `-Dexecution.batch.pre-aggregation=false`
 * turns the pre-aggregation off for such jobs.
 *
 * Memory is bounded: once `maxKeys` keys are held, the partials so far are sent and the fold
 * starts over, so a job with more keys than that still works, with partials per key per flush.
 */
import type { UserFunctionSpec } from '../../jobgraph/jobGraph.js';
import type { KeyedAggregationSpec } from '../../jobgraph/keyedAggregation.js';
import { createKeyedAggregation } from './createKeyedAggregation.js';
import type { FunctionLoader, UserFunction } from './FunctionLoader.js';
import type { KeyedPartial } from './KeyedAggregationMode.js';
import type { KeyedAggregationOperator } from './KeyedAggregationOperator.js';
import type { OutputPartitioner } from './OutputPartitioner.js';
import { RecordPartitioner } from './RecordPartitioner.js';

/** How many keys a pre-aggregation holds before it sends its partials. */
export const DEFAULT_PRE_AGGREGATION_MAX_KEYS = 16_384;

/** What a {@link PreAggregatingPartitioner} is made of. */
export interface PreAggregatingPartitionerOptions {
  /** The consumer's keyed aggregation. */
  aggregation: KeyedAggregationSpec;
  /** The edge's key selector. */
  keySelector: UserFunctionSpec;
  loader: FunctionLoader;
  /** How many consumer subtasks the edge feeds. */
  numberOfChannels: number;
  /** The producer's subtask index. */
  subtaskIndex: number;
  /** Keys held before partials are sent; default {@link DEFAULT_PRE_AGGREGATION_MAX_KEYS}. */
  maxKeys?: number;
}

/** A partial `[key, value]` is routed by the key its producer computed. */
const keyOfPartial = (partial: KeyedPartial): unknown => partial[0];

/** Folds records by key and routes the partials by key. */
export class PreAggregatingPartitioner implements OutputPartitioner {
  /**
   * @param aggregation The consumer's aggregation in BATCH mode on records, which folds them.
   * @param partitioner A hash partitioner that routes partials by their key.
   */
  constructor(
    private readonly aggregation: KeyedAggregationOperator,
    private readonly partitioner: RecordPartitioner,
    private readonly maxKeys: number = DEFAULT_PRE_AGGREGATION_MAX_KEYS,
  ) {}

  /** Loads the key selector and the aggregation's function, then builds the partitioner. */
  static async create(options: PreAggregatingPartitionerOptions): Promise<PreAggregatingPartitioner> {
    const { aggregation, loader, numberOfChannels, subtaskIndex } = options;
    const keySelector: UserFunction = await loader(options.keySelector);
    const operator = await createKeyedAggregation(aggregation, keySelector, loader, {
      runtimeMode: 'BATCH',
      preAggregated: false,
    });
    const partitioner = new RecordPartitioner({
      shipStrategy: 'hash',
      numberOfChannels,
      subtaskIndex,
      keySelector: keyOfPartial,
    });
    return new PreAggregatingPartitioner(operator, partitioner, options.maxKeys);
  }

  /** Folds `records`; sends nothing unless the fold now holds `maxKeys` keys, then every partial so far. */
  partition(records: unknown[]): unknown[][] {
    this.aggregation.processBatch(records);
    return this.aggregation.keyCount >= this.maxKeys ? this.flush() : [];
  }

  /** The partials of every key held, by channel, and the fold starts over. */
  flush(): unknown[][] {
    const partials = this.aggregation.drainPartials();
    return partials.length === 0 ? [] : this.partitioner.partition(partials);
  }
}
