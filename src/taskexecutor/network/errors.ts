/**
 * The errors of the data exchange. Each names the partition (and, on the consumer side, the
 * producer's address), so a failed task's message says which edge broke and where.
 */
import { FailedPreconditionError, FlotillaError, NotFoundError } from '../../common/errors.js';
import type { InputChannelDescriptor } from '../../runtime/TaskDeploymentDescriptor.js';

/** A result partition was not registered within the partition request timeout (Flink's `PartitionNotFoundException`). */
export class PartitionNotFoundError extends NotFoundError {
  override name = 'PartitionNotFoundError';

  constructor(
    readonly partitionId: string,
    timeoutMs: number,
  ) {
    super(
      `result partition ${partitionId} was not registered at this task executor within ${timeoutMs} ms; ` +
        'its producer was not deployed here, failed before it started, or the consumer was given the wrong address',
    );
  }
}

/** A result partition was released (producer cancelled or failed, or already consumed), so its data is gone. */
export class PartitionReleasedError extends FailedPreconditionError {
  override name = 'PartitionReleasedError';

  constructor(
    readonly partitionId: string,
    readonly reason: string,
  ) {
    super(`result partition ${partitionId} was released: ${reason}`);
  }
}

/**
 * One input channel of an input gate failed: its producer is gone, the partition was released or
 * never appeared, or the stream broke. The message names the producer's address and the partition;
 * `cause` keeps the underlying error (a {@link PartitionNotFoundError}, a `NotFoundError` rebuilt
 * from a remote NOT_FOUND, a {@link PartitionReleasedError}, ...).
 */
export class InputChannelError extends FlotillaError {
  override name = 'InputChannelError';

  constructor(
    readonly channelIndex: number,
    readonly descriptor: InputChannelDescriptor,
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      `input channel ${channelIndex} cannot read subpartition ${descriptor.subpartitionIndex} of result partition ` +
        `${descriptor.partitionId} from the task executor at ${descriptor.producerAddress}: ${detail}`,
      { cause },
    );
  }
}

/** The input gate was closed (its task is being cancelled); a pending or later `next()` rejects with this. */
export class InputGateClosedError extends FlotillaError {
  override name = 'InputGateClosedError';

  constructor() {
    super('the input gate was closed because its task is being cancelled; no more input will arrive');
  }
}
