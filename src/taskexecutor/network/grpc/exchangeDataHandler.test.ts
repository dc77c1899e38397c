import { ClientError, createChannel, createClient, Status, type Channel } from 'nice-grpc';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordEncoding } from '../../../../generated/flotilla/v1/common.js';
import {
  TaskExecutorServiceDefinition,
  type ExchangeDataRequest,
  type ExchangeDataResponse,
  type TaskExecutorServiceClient,
} from '../../../../generated/flotilla/v1/task_executor_service.js';
import { batchOf, recordOf, stillPending } from '../testing/networkTesting.js';
import { ExchangeRequestStream } from './ExchangeRequestStream.js';
import { startProducerHost, type ProducerHost } from './testing/exchangeTesting.js';

type Message = ExchangeDataRequest['message'];
const partitionRequest = (partitionId: string, subpartitionIndex = 0, initialCredit = 1): Message => ({
  $case: 'partitionRequest',
  partitionRequest: { partitionId, subpartitionIndex, consumerExecutionAttemptId: 'raw-consumer', initialCredit },
});

describe('exchangeDataHandler', () => {
  let producer: ProducerHost;
  let channel: Channel;
  let client: TaskExecutorServiceClient;
  afterEach(async () => {
    channel?.close();
    await producer?.host.shutdown();
  });

  async function start(options: { partitionRequestTimeoutMs?: number } = {}) {
    producer = await startProducerHost(options);
    channel = createChannel(producer.address);
    client = createClient(TaskExecutorServiceDefinition, channel);
  }

  /** Sends `messages`, keeps the request stream open until the call ends, and collects the responses or the error. */
  async function call(messages: Message[]): Promise<{ responses: ExchangeDataResponse[]; error?: ClientError }> {
    let release!: () => void;
    const callOver = new Promise<void>((resolve) => (release = resolve));
    async function* requests(): AsyncGenerator<ExchangeDataRequest> {
      for (const message of messages) yield { message };
      await callOver;
    }
    const responses: ExchangeDataResponse[] = [];
    try {
      for await (const response of client.exchangeData(requests())) responses.push(response);
      return { responses };
    } catch (error) {
      if (!(error instanceof ClientError)) throw error;
      return { responses, error };
    } finally {
      release();
    }
  }

  it('sends one batch per credit, the end without credit, and ends the stream', async () => {
    await start();
    const partition = producer.partitions.register('p0/v2', 1);
    const requests = new ExchangeRequestStream({
      partitionId: 'p0/v2',
      subpartitionIndex: 0,
      consumerExecutionAttemptId: 'c1',
      initialCredit: 2,
    });
    const responses = client.exchangeData(requests)[Symbol.asyncIterator]();
    const producing = (async () => {
      for (let i = 0; i < 4; i++) await partition.emit(0, batchOf('p0', i));
      partition.finish();
    })();

    const received = [await responses.next(), await responses.next()].map(
      (result) => result.value as ExchangeDataResponse,
    );
    expect(received.map((response) => response.message?.$case)).toEqual(['records', 'records']);
    const third = responses.next();
    expect(await stillPending(third, 300)).toBe(true);
    requests.addCredit(2);
    received.push((await third).value, (await responses.next()).value);
    expect(
      received.map((response) => (response.message?.$case === 'records' ? response.message.records : undefined)),
    ).toEqual(
      [0, 1, 2, 3].map((i) => ({
        encoding: RecordEncoding.V8,
        count: 1,
        payload: Buffer.from(batchOf('p0', i).payload),
      })),
    );
    expect(recordOf((received[3].message as { records: { count: number; payload: Buffer } }).records)).toEqual([
      'p0',
      3,
    ]);
    expect((await responses.next()).value).toEqual({ message: { $case: 'endOfPartition', endOfPartition: {} } });
    expect((await responses.next()).done).toBe(true);
    requests.end();
    await producing;
  });

  it('answers NOT_FOUND when the partition is not registered within the timeout', async () => {
    await start({ partitionRequestTimeoutMs: 100 });
    const { error } = await call([partitionRequest('ghost/v2')]);
    expect(error?.code).toBe(Status.NOT_FOUND);
    expect(error?.details).toContain(
      'result partition ghost/v2 was not registered at this task executor within 100 ms',
    );
  });

  it('answers INVALID_ARGUMENT, with what to do, to a stream that does not start with a PartitionRequest, and stays up', async () => {
    await start();
    const first = await call([{ $case: 'addCredit', addCredit: { credit: 1 } }]);
    expect(first.error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(first.error?.details).toBe(
      'the first ExchangeData message must be a PartitionRequest, got an AddCredit message; ' +
        'send PartitionRequest{partition_id, subpartition_index, initial_credit} first, then AddCredit',
    );
    expect((await call([undefined])).error?.details).toContain('got an empty message');

    const partition = producer.partitions.register('p0/v2', 1);
    await partition.emit(0, batchOf('p0', 0));
    partition.finish();
    const served = await call([partitionRequest('p0/v2')]);
    expect(served.error).toBeUndefined();
    expect(served.responses.map((response) => response.message?.$case)).toEqual(['records', 'endOfPartition']);
  });

  it('answers INVALID_ARGUMENT to a second PartitionRequest and to a subpartition out of range', async () => {
    await start();
    producer.partitions.register('p0/v2', 2);
    const second = await call([partitionRequest('p0/v2', 0), partitionRequest('p0/v2', 1)]);
    expect(second.error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(second.error?.details).toContain('takes only AddCredit messages, got a second PartitionRequest');

    const outOfRange = await call([partitionRequest('p0/v2', 7)]);
    expect(outOfRange.error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(outOfRange.error?.details).toBe(
      'subpartition 7 does not exist in result partition p0/v2, which has 2 (indexes 0 to 1)',
    );
  });

  it('answers FAILED_PRECONDITION to a second reader of a subpartition', async () => {
    await start();
    producer.partitions.register('p0/v2', 1);
    const requests = new ExchangeRequestStream({
      partitionId: 'p0/v2',
      subpartitionIndex: 0,
      consumerExecutionAttemptId: 'c1',
      initialCredit: 1,
    });
    const reading = client
      .exchangeData(requests)
      [Symbol.asyncIterator]()
      .next()
      .catch((caught: unknown) => caught);
    const again = await call([partitionRequest('p0/v2', 0)]);
    expect(again.error?.code).toBe(Status.FAILED_PRECONDITION);
    expect(again.error?.details).toContain('is already read by c1');
    producer.partitions.release('p0/v2', 'test over');
    expect(((await reading) as ClientError).code).toBe(Status.FAILED_PRECONDITION);
    requests.end();
  });
});
