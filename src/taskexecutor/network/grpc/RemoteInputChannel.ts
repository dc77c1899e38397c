/**
 * An input channel whose producer runs in another task executor (Flink's `RemoteInputChannel`):
 * one ExchangeData stream that sends the partition request with the initial credit, then AddCredit
 * as the consumer recycles batches, and receives at most one batch per credit. A failed stream is
 * reported as a domain error whose message carries the gRPC status and details.
 */
import { ClientError, Status } from 'nice-grpc';
import { RecordEncoding } from '../../../../generated/flotilla/v1/common.js';
import { FlotillaError, UnavailableError } from '../../../common/errors.js';
import type { InputChannelDescriptor } from '../../../runtime/TaskDeploymentDescriptor.js';
import type { InputChannel, InputChannelListener, InputChannelOptions } from '../InputChannel.js';
import { domainErrorOf } from '../../../rpc/statusMapping.js';
import { ExchangeRequestStream } from './ExchangeRequestStream.js';
import type { PartitionRequestClient, PartitionRequestClients } from './PartitionRequestClient.js';

/** Reads one subpartition of a producer in another task executor over gRPC. */
export class RemoteInputChannel implements InputChannel {
  private readonly abort = new AbortController();
  private requests: ExchangeRequestStream | undefined;
  private closed = false;
  private finished = false;
  /** Credit granted to the producer and not yet used by a batch. */
  private unusedCredit: number;

  /** A channel reading `descriptor` through a connection from `clients`. */
  constructor(
    readonly descriptor: InputChannelDescriptor,
    private readonly clients: PartitionRequestClients,
    private readonly options: InputChannelOptions,
  ) {
    this.unusedCredit = options.initialCredit;
  }

  start(listener: InputChannelListener): void {
    if (this.requests) throw new Error('RemoteInputChannel.start() called twice');
    this.requests = new ExchangeRequestStream({
      partitionId: this.descriptor.partitionId,
      subpartitionIndex: this.descriptor.subpartitionIndex,
      consumerExecutionAttemptId: this.options.consumerAttemptId,
      initialCredit: this.options.initialCredit,
    });
    void this.run(this.requests, listener);
  }

  addCredit(credit: number): void {
    if (this.closed || this.finished) return;
    this.unusedCredit += credit;
    this.requests?.addCredit(credit);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.requests?.end();
    this.abort.abort();
  }

  private async run(requests: ExchangeRequestStream, listener: InputChannelListener): Promise<void> {
    let lease: PartitionRequestClient | undefined;
    try {
      lease = this.clients.acquire(this.descriptor.producerAddress);
      for await (const response of lease.client.exchangeData(requests, { signal: this.abort.signal })) {
        if (this.closed) return;
        if (this.finished) continue;
        const message = response.message;
        if (message?.$case === 'records') {
          const { encoding, count, payload } = message.records;
          if (this.unusedCredit <= 0)
            throw new FlotillaError('the producer sent a batch without credit (protocol violation)');
          if (encoding !== RecordEncoding.V8)
            throw new FlotillaError(
              `the producer sent a batch with encoding ${RecordEncoding[encoding] ?? encoding}; the data path uses V8`,
            );
          this.unusedCredit -= 1;
          // A copy: the decoded payload is a view into a buffer of the gRPC stack, which may hold or reuse it.
          listener.onBatch({ count, payload: new Uint8Array(payload) });
        } else if (message?.$case === 'endOfPartition') {
          this.finished = true;
          requests.end();
          listener.onEndOfPartition();
        } else {
          throw new FlotillaError('the producer sent an empty ExchangeDataResponse (protocol violation)');
        }
      }
      if (!this.finished && !this.closed) {
        throw new UnavailableError('the producer ended the stream before the end of the partition');
      }
    } catch (error) {
      if (!this.closed && !this.finished) listener.onError(fromGrpcError(error));
    } finally {
      requests.end();
      lease?.release();
    }
  }
}

/** The domain error a failed stream is reported as; its message says which status the stream ended with. */
function fromGrpcError(error: unknown): Error {
  if (!(error instanceof ClientError)) return error instanceof Error ? error : new Error(String(error));
  const status = Status[error.code] ?? String(error.code);
  if (error.code === Status.UNAVAILABLE) {
    return domainErrorOf(
      error.code,
      `the producer's task executor is unreachable or went away (${status}: ${error.details})`,
    );
  }
  return domainErrorOf(error.code, `${error.details} (${status})`);
}
