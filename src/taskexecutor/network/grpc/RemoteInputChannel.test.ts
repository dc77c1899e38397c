import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../common/errors.js';
import { createInputGate } from '../createInputGate.js';
import { InputChannelError } from '../errors.js';
import type { InputChannelDescriptor } from '../../../runtime/TaskDeploymentDescriptor.js';
import { ResultPartitionManager } from '../ResultPartitionManager.js';
import { batchOf, drain, eventually, produce, recordOf, sequence, stillPending } from '../testing/networkTesting.js';
import { PartitionRequestClientFactory } from './PartitionRequestClientFactory.js';
import { startProducerHost, type ProducerHost } from './testing/exchangeTesting.js';

const CONSUMER_ADDRESS = '127.0.0.1:1';

describe('InputGate with remote channels over ExchangeData', () => {
  const hosts: ProducerHost[] = [];
  const factories: PartitionRequestClientFactory[] = [];
  afterEach(async () => {
    factories.splice(0).forEach((factory) => factory.close());
    await Promise.all(hosts.splice(0).map((producer) => producer.host.shutdown()));
  });

  async function producerHost(options: { partitionRequestTimeoutMs?: number } = {}) {
    const producer = await startProducerHost(options);
    hosts.push(producer);
    return producer;
  }

  function gate(
    channels: InputChannelDescriptor[],
    options: { initialCredit?: number; partitions?: ResultPartitionManager } = {},
  ) {
    const clients = new PartitionRequestClientFactory();
    factories.push(clients);
    const inputGate = createInputGate({
      channels,
      localAddress: CONSUMER_ADDRESS,
      partitions: options.partitions ?? new ResultPartitionManager(),
      connectRemote: clients.connectRemote,
      consumerAttemptId: 'consumer-1',
      initialCredit: options.initialCredit,
    });
    return { gate: inputGate, clients };
  }

  it('delivers every batch of remote and local producers, in order per channel, over one connection per producer address, then ends', async () => {
    const [first, second] = [await producerHost(), await producerHost()];
    const local = new ResultPartitionManager();
    const { gate: inputGate, clients } = gate(
      [
        { producerAddress: first.address, partitionId: 'p0/v2', subpartitionIndex: 1 },
        { producerAddress: first.address, partitionId: 'p1/v2', subpartitionIndex: 1 },
        { producerAddress: second.address, partitionId: 'p2/v2', subpartitionIndex: 1 },
        { producerAddress: CONSUMER_ADDRESS, partitionId: 'p3/v2', subpartitionIndex: 1 },
      ],
      { partitions: local },
    );
    const producing = [
      produce(first.partitions.register('p0/v2', 2), 'p0', 200),
      produce(first.partitions.register('p1/v2', 2), 'p1', 200),
      produce(second.partitions.register('p2/v2', 2), 'p2', 200),
      produce(local.register('p3/v2', 2), 'p3', 200),
    ];
    // The other subtask's subpartitions are read by a gate of their own.
    const other = gate(
      [
        { producerAddress: first.address, partitionId: 'p0/v2', subpartitionIndex: 0 },
        { producerAddress: first.address, partitionId: 'p1/v2', subpartitionIndex: 0 },
        { producerAddress: second.address, partitionId: 'p2/v2', subpartitionIndex: 0 },
        { producerAddress: CONSUMER_ADDRESS, partitionId: 'p3/v2', subpartitionIndex: 0 },
      ],
      { partitions: local },
    );

    // Both gates read at once: a producer held back by one subpartition stops feeding the other.
    const draining = drain(other.gate);
    const firstBatch = await inputGate.next();
    expect(clients.openConnections).toBe(2);
    inputGate.recycle(firstBatch!.channelIndex);
    const records = await drain(inputGate);
    records[firstBatch!.channelIndex].unshift(recordOf(firstBatch!.batch));
    const otherRecords = await draining;
    await Promise.all(producing);

    expect(records).toEqual(['p0#1', 'p1#1', 'p2#1', 'p3#1'].map((producer) => sequence(producer, 200)));
    expect(otherRecords).toEqual(['p0#0', 'p1#0', 'p2#0', 'p3#0'].map((producer) => sequence(producer, 200)));
    await eventually(() => clients.openConnections === 0, 5000, 'the connections to be closed after the last stream');
    await eventually(
      () => first.partitions.size === 0 && second.partitions.size === 0 && local.size === 0,
      5000,
      'consumed partitions to be removed',
    );
  });

  it('holds a producer of 1,000 batches at capacity plus credit while its consumer does not recycle; recycling lets everything flow', async () => {
    const producer = await producerHost();
    const partition = producer.partitions.register('p0/v2', 1, { subpartitionCapacity: 4 });
    const { gate: inputGate } = gate(
      [{ producerAddress: producer.address, partitionId: 'p0/v2', subpartitionIndex: 0 }],
      { initialCredit: 2 },
    );
    let emitsCalled = 0;
    let pendingEmit: Promise<void> | undefined;
    const producing = (async () => {
      for (let i = 0; i < 1000; i++) {
        emitsCalled += 1;
        pendingEmit = partition.emit(0, batchOf('p0', i));
        await pendingEmit;
      }
      partition.finish();
    })();

    const held = [await inputGate.next(), await inputGate.next()];
    expect(held.map((next) => recordOf(next!.batch))).toEqual(sequence('p0', 2));
    await eventually(() => emitsCalled === 6, 5000, 'six emits (capacity 4 + credit 2)');
    expect(await stillPending(pendingEmit!, 300)).toBe(true);
    const third = inputGate.next();
    expect(await stillPending(third, 300)).toBe(true);
    expect(emitsCalled).toBe(6);

    inputGate.recycle(0);
    inputGate.recycle(0);
    expect(recordOf((await third)!.batch)).toEqual(['p0', 2]);
    inputGate.recycle(0);
    const rest = await drain(inputGate);
    await producing;
    expect(rest[0]).toEqual(sequence('p0', 1000).slice(3));
  });

  it('gets the data of a partition registered after the consumer asked for it', async () => {
    const producer = await producerHost({ partitionRequestTimeoutMs: 10_000 });
    const { gate: inputGate } = gate([
      { producerAddress: producer.address, partitionId: 'late/v2', subpartitionIndex: 0 },
    ]);
    const first = inputGate.next();
    expect(await stillPending(first, 300)).toBe(true);
    const producing = produce(producer.partitions.register('late/v2', 1), 'late', 10);
    expect(recordOf((await first)!.batch)).toEqual(['late#0', 0]);
    inputGate.recycle(0);
    expect((await drain(inputGate))[0]).toEqual(sequence('late#0', 10).slice(1));
    await producing;
  });

  it('fails with NOT_FOUND, naming the address and the partition, when the partition never appears', async () => {
    const producer = await producerHost({ partitionRequestTimeoutMs: 200 });
    const { gate: inputGate } = gate([
      { producerAddress: producer.address, partitionId: 'ghost/v2', subpartitionIndex: 0 },
    ]);
    const error = await inputGate.next().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputChannelError);
    expect((error as InputChannelError).cause).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe(
      `input channel 0 cannot read subpartition 0 of result partition ghost/v2 from the task executor at ${producer.address}: ` +
        'result partition ghost/v2 was not registered at this task executor within 200 ms; its producer was not deployed here, ' +
        'failed before it started, or the consumer was given the wrong address (NOT_FOUND)',
    );
  });

  it('fails next() with the reason when the producer releases its partition mid-stream', async () => {
    const producer = await producerHost();
    const partition = producer.partitions.register('p0/v2', 1);
    const { gate: inputGate } = gate([
      { producerAddress: producer.address, partitionId: 'p0/v2', subpartitionIndex: 0 },
    ]);
    await partition.emit(0, batchOf('p0', 0));
    expect(recordOf((await inputGate.next())!.batch)).toEqual(['p0', 0]);
    inputGate.recycle(0);
    producer.partitions.release('p0/v2', 'producer attempt p0 was cancelled');
    const error = await inputGate.next().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputChannelError);
    expect((error as Error).message).toBe(
      `input channel 0 cannot read subpartition 0 of result partition p0/v2 from the task executor at ${producer.address}: ` +
        'result partition p0/v2 was released: producer attempt p0 was cancelled (FAILED_PRECONDITION)',
    );
  });

  it('fails next() naming the address when the producer task executor shuts down mid-stream', async () => {
    const producer = await producerHost();
    const partition = producer.partitions.register('p0/v2', 1);
    const { gate: inputGate } = gate([
      { producerAddress: producer.address, partitionId: 'p0/v2', subpartitionIndex: 0 },
    ]);
    await partition.emit(0, batchOf('p0', 0));
    await inputGate.next();
    inputGate.recycle(0);
    const pending = inputGate.next().catch((caught: unknown) => caught);
    await producer.host.shutdown();
    const error = await pending;
    expect(error).toBeInstanceOf(InputChannelError);
    expect((error as Error).message).toContain(
      `from the task executor at ${producer.address}: the producer's task executor is unreachable or went away (UNAVAILABLE: `,
    );
  });

  it('fails next() naming the address when nothing listens there', async () => {
    const address = await unusedAddress();
    const { gate: inputGate } = gate([{ producerAddress: address, partitionId: 'p0/v2', subpartitionIndex: 0 }]);
    const error = await inputGate.next().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputChannelError);
    expect((error as Error).message).toContain(
      `result partition p0/v2 from the task executor at ${address}: the producer's task executor is unreachable`,
    );
  });

  it('releases the subpartition on the producer when the consumer closes its gate mid-stream', async () => {
    const producer = await producerHost();
    const partition = producer.partitions.register('p0/v2', 1, { subpartitionCapacity: 1 });
    const { gate: inputGate, clients } = gate(
      [{ producerAddress: producer.address, partitionId: 'p0/v2', subpartitionIndex: 0 }],
      { initialCredit: 1 },
    );
    await partition.emit(0, batchOf('p0', 0));
    await inputGate.next();
    const blocked = partition.emit(0, batchOf('p0', 1));
    expect(await stillPending(blocked)).toBe(true);
    inputGate.close();
    await blocked;
    await eventually(() => producer.partitions.size === 0, 5000, 'the abandoned partition to be removed');
    await eventually(() => clients.openConnections === 0, 5000, 'the connection to be closed');
  });
});

async function unusedAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}
