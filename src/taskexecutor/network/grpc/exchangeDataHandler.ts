/**
 * The producer's side of TaskExecutorService.ExchangeData: maps the stream to the task executor's
 * result partitions. It reads the partition request, waits for the partition, then sends one batch
 * per credit and finally EndOfPartition. The credit goes to the subpartition's reader, so batches
 * without credit stay in the subpartition's bounded queue and hold the producer back.
 */
import { throwIfAborted } from 'abort-controller-x';
import type { CallContext } from 'nice-grpc-common';
import { RecordEncoding } from '../../../../generated/flotilla/v1/common.js';
import type {
  ExchangeDataRequest,
  ExchangeDataResponse,
} from '../../../../generated/flotilla/v1/task_executor_service.js';
import { InvalidArgumentError } from '../../../common/errors.js';
import type { Logger } from '../../../common/logger.js';
import type { NetworkBatch } from '../NetworkBatch.js';
import { DEFAULT_PARTITION_REQUEST_TIMEOUT_MS, type ResultPartitionManager } from '../ResultPartitionManager.js';
import type { ResultSubpartitionView } from '../ResultSubpartitionView.js';

/** Options of {@link exchangeDataHandler}. */
export interface ExchangeDataHandlerOptions {
  /** How long a request waits for its partition to be registered; defaults to {@link DEFAULT_PARTITION_REQUEST_TIMEOUT_MS}. */
  partitionRequestTimeoutMs?: number;
  /** Where to log served and abandoned streams (debug level). */
  logger?: Logger;
}

/** The ExchangeData implementation for nice-grpc, serving the partitions of `partitions`. */
export function exchangeDataHandler(
  partitions: ResultPartitionManager,
  options: ExchangeDataHandlerOptions = {},
): (requests: AsyncIterable<ExchangeDataRequest>, context: CallContext) => AsyncGenerator<ExchangeDataResponse, void> {
  const timeoutMs = options.partitionRequestTimeoutMs ?? DEFAULT_PARTITION_REQUEST_TIMEOUT_MS;
  return async function* exchangeData(requests, context) {
    const iterator = requests[Symbol.asyncIterator]();
    const first = await iterator.next();
    const request = first.done ? undefined : first.value.message;
    if (request?.$case !== 'partitionRequest') {
      const got = first.done ? 'the end of the stream' : request ? 'an AddCredit message' : 'an empty message';
      throw new InvalidArgumentError(
        `the first ExchangeData message must be a PartitionRequest, got ${got}; ` +
          'send PartitionRequest{partition_id, subpartition_index, initial_credit} first, then AddCredit',
      );
    }
    const { partitionId, subpartitionIndex, consumerExecutionAttemptId, initialCredit } = request.partitionRequest;
    if (!partitionId)
      throw new InvalidArgumentError(
        'PartitionRequest.partition_id is empty; name the partition to read (execution attempt id/target vertex id)',
      );
    const log = options.logger?.child({ partitionId, subpartitionIndex, consumer: consumerExecutionAttemptId });

    const view = await partitions.requestSubpartition(partitionId, subpartitionIndex, {
      timeoutMs,
      signal: context.signal,
      consumer: consumerExecutionAttemptId || 'an unnamed consumer',
    });
    let violation: Error | undefined;
    const stop = (error: Error) => {
      violation ??= error;
      view.release();
    };
    const onAbort = () => view.release();
    context.signal.addEventListener('abort', onAbort);
    try {
      view.addCredit(initialCredit);
      void readCredit(iterator, view, stop, context.signal);
      while (true) {
        const next = await view.next();
        if (next === 'end') {
          yield { message: { $case: 'endOfPartition', endOfPartition: {} } };
          log?.debug('sent the end of the subpartition');
          return;
        }
        yield { message: { $case: 'records', records: toRecordBatch(next) } };
      }
    } catch (error) {
      throwIfAborted(context.signal);
      throw violation ?? error;
    } finally {
      context.signal.removeEventListener('abort', onAbort);
      view.release();
      if (context.signal.aborted) log?.debug('the consumer went away before the end of the subpartition');
    }
  };
}

/**
 * Reads the rest of the consumer's messages in the background: AddCredit grants credit, anything
 * else stops the stream. A consumer that closes its side can grant no more credit; the stream then
 * goes on with the credit it has and ends with the end of the partition or when the consumer cancels.
 */
async function readCredit(
  iterator: AsyncIterator<ExchangeDataRequest>,
  view: ResultSubpartitionView,
  stop: (error: Error) => void,
  signal: AbortSignal,
): Promise<void> {
  try {
    while (true) {
      const { done, value } = await iterator.next();
      if (done) return;
      const message = value.message;
      if (message?.$case === 'addCredit') {
        view.addCredit(message.addCredit.credit);
      } else {
        const got = message ? 'a second PartitionRequest' : 'an empty message';
        return stop(
          new InvalidArgumentError(
            `after the PartitionRequest an ExchangeData stream takes only AddCredit messages, got ${got}; open a new stream to read another subpartition`,
          ),
        );
      }
    }
  } catch (error) {
    if (!signal.aborted) stop(error as Error);
  }
}

function toRecordBatch(batch: NetworkBatch) {
  const { payload } = batch;
  const bytes = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return { encoding: RecordEncoding.V8, count: batch.count, payload: bytes };
}
