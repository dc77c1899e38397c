import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../common/errors.js';
import { createInputGate } from './createInputGate.js';
import { InputChannelError, InputGateClosedError, PartitionNotFoundError } from './errors.js';
import type { RemoteInputChannelFactory } from './InputChannel.js';
import { ResultPartitionManager } from './ResultPartitionManager.js';
import { batchOf, drain, eventually, produce, recordOf, sequence, stillPending } from './testing/networkTesting.js';

const HERE = '127.0.0.1:7001';
const noRemote: RemoteInputChannelFactory = () => {
  throw new Error('this test has no remote channel');
};

function localGate(
  partitions: ResultPartitionManager,
  partitionIds: string[],
  subpartitionIndex: number,
  options: { initialCredit?: number; requestTimeoutMs?: number } = {},
) {
  return createInputGate({
    channels: partitionIds.map((partitionId) => ({ producerAddress: HERE, partitionId, subpartitionIndex })),
    localAddress: HERE,
    partitions,
    connectRemote: noRemote,
    consumerAttemptId: 'consumer-1',
    ...options,
  });
}

describe('InputGate with local channels', () => {
  it('delivers every batch of several producers, in order per channel, then ends', async () => {
    const partitions = new ResultPartitionManager();
    const gates = [
      localGate(partitions, ['p0/v2', 'p1/v2', 'p2/v2'], 0),
      localGate(partitions, ['p0/v2', 'p1/v2', 'p2/v2'], 1),
    ];
    const producing = ['p0', 'p1', 'p2'].map((producer) =>
      produce(partitions.register(`${producer}/v2`, 2), producer, 50),
    );
    const [first, second] = await Promise.all(gates.map(drain));
    await Promise.all(producing);
    expect(first).toEqual([sequence('p0#0', 50), sequence('p1#0', 50), sequence('p2#0', 50)]);
    expect(second).toEqual([sequence('p0#1', 50), sequence('p1#1', 50), sequence('p2#1', 50)]);
    expect(await gates[0].next()).toBeUndefined();
    expect(partitions.size).toBe(0);
  });

  it('bounds what a consumer that never recycles holds to capacity plus credit; recycling lets everything flow', async () => {
    const partitions = new ResultPartitionManager();
    const partition = partitions.register('p0/v2', 1, { subpartitionCapacity: 4 });
    const gate = localGate(partitions, ['p0/v2'], 0, { initialCredit: 2 });
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

    const held = [await gate.next(), await gate.next()];
    expect(held.map((next) => recordOf(next!.batch))).toEqual(sequence('p0', 2));
    await eventually(() => emitsCalled === 6, 5000, 'six emits (capacity 4 + credit 2)');
    expect(await stillPending(pendingEmit!)).toBe(true);
    const third = gate.next();
    expect(await stillPending(third)).toBe(true);
    expect(emitsCalled).toBe(6);

    gate.recycle(0);
    gate.recycle(0);
    expect(recordOf((await third)!.batch)).toEqual(['p0', 2]);
    gate.recycle(0);
    const rest = await drain(gate);
    await producing;
    expect(rest[0]).toEqual(sequence('p0', 1000).slice(3));
  });

  it('fails next() with the partition, the address and the reason when the producer is released', async () => {
    const partitions = new ResultPartitionManager();
    const partition = partitions.register('p0/v2', 1);
    const gate = localGate(partitions, ['p0/v2'], 0);
    await partition.emit(0, batchOf('p0', 0));
    const first = await gate.next();
    gate.recycle(first!.channelIndex);
    partitions.release('p0/v2', 'producer attempt p0 was cancelled');
    const error = await gate.next().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputChannelError);
    expect((error as Error).message).toBe(
      `input channel 0 cannot read subpartition 0 of result partition p0/v2 from the task executor at ${HERE}: ` +
        'result partition p0/v2 was released: producer attempt p0 was cancelled',
    );
    await expect(gate.next()).rejects.toBe(error);
  });

  it('fails with a PartitionNotFoundError cause when the partition never appears', async () => {
    const gate = localGate(new ResultPartitionManager(), ['p9/v2'], 0, { requestTimeoutMs: 50 });
    const error = await gate.next().catch((caught: unknown) => caught);
    expect((error as InputChannelError).cause).toBeInstanceOf(PartitionNotFoundError);
    expect((error as InputChannelError).cause).toBeInstanceOf(NotFoundError);
  });

  it('rejects pending and later next() when closed, and stops holding its producer back', async () => {
    const partitions = new ResultPartitionManager();
    const partition = partitions.register('p0/v2', 1, { subpartitionCapacity: 1 });
    const gate = localGate(partitions, ['p0/v2'], 0, { initialCredit: 1 });
    await partition.emit(0, batchOf('p0', 0));
    await gate.next();
    const pending = gate.next();
    const blocked = partition.emit(0, batchOf('p0', 1));
    expect(await stillPending(blocked)).toBe(true);
    gate.close();
    await expect(pending).rejects.toThrow(InputGateClosedError);
    await expect(gate.next()).rejects.toThrow('the input gate was closed');
    await blocked;
    await eventually(() => partitions.size === 0, 5000, 'the partition to be dropped');
  });

  it('ends at once without channels and refuses a recycle without a batch', async () => {
    const partitions = new ResultPartitionManager();
    expect(await localGate(partitions, [], 0).next()).toBeUndefined();
    const gate = localGate(partitions, ['p0/v2'], 0);
    expect(() => gate.recycle(0)).toThrow('without a batch of that channel');
    expect(() => gate.recycle(3)).toThrow(RangeError);
    gate.close();
  });
});
