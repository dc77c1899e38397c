/**
 * Builds the partitioner of one outgoing edge of a task from its deployment: a
 * {@link PreAggregatingPartitioner} when the edge is pre-aggregated (a BATCH job's hash edge into
 * a keyed aggregation), a plain {@link RecordPartitioner} otherwise.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import type { KeyedAggregationSpec } from '../../jobgraph/keyedAggregation.js';
import type { OutputPartitioner } from './OutputPartitioner.js';
import { PreAggregatingPartitioner } from './PreAggregatingPartitioner.js';
import { RecordPartitioner, type RecordPartitionerSpecOptions } from './RecordPartitioner.js';

/** As for {@link RecordPartitioner.create}, plus the consumer's aggregation of a pre-aggregated edge. */
export interface OutputPartitionerOptions extends RecordPartitionerSpecOptions {
  /** The keyed aggregation to apply before sending, for a pre-aggregated hash edge. */
  preAggregation?: KeyedAggregationSpec;
}

/** The partitioner of one output. @throws InvalidArgumentError for a pre-aggregation on anything but a hash edge with a key selector. */
export async function createOutputPartitioner(options: OutputPartitionerOptions): Promise<OutputPartitioner> {
  const { preAggregation, ...rest } = options;
  if (!preAggregation) return RecordPartitioner.create(rest);
  if (rest.shipStrategy !== 'hash' || !rest.keySelector) {
    throw new InvalidArgumentError(
      `the pre-aggregation "${preAggregation.name}" needs a hash edge with a key selector`,
    );
  }
  return PreAggregatingPartitioner.create({
    aggregation: preAggregation,
    keySelector: rest.keySelector,
    loader: rest.loader,
    numberOfChannels: rest.numberOfChannels,
    subtaskIndex: rest.subtaskIndex,
  });
}
