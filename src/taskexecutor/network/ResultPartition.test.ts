import { describe, expect, it } from 'vitest';
import { FailedPreconditionError, InvalidArgumentError } from '../../common/errors.js';
import { PartitionReleasedError } from './errors.js';
import { ResultPartition } from './ResultPartition.js';
import { batchOf, recordOf, stillPending } from './testing/networkTesting.js';

describe('ResultPartition', () => {
  it('hands each subpartition its batches in order against credit, then the end', async () => {
    const disposed: string[] = [];
    const partition = new ResultPartition('a1/v2', 2, { onDisposed: (reason) => disposed.push(reason) });
    const readers = [partition.createReader(0, 'c0'), partition.createReader(1, 'c1')];
    for (let i = 0; i < 3; i++) {
      await partition.emit(0, batchOf('p', i));
      await partition.emit(1, batchOf('q', i));
    }
    partition.finish();
    readers.forEach((reader) => reader.addCredit(10));
    for (const [index, producer] of ['p', 'q'].entries()) {
      for (let i = 0; i < 3; i++) expect(recordOf((await readers[index].next()) as never)).toEqual([producer, i]);
    }
    expect(await readers[0].next()).toBe('end');
    expect(disposed).toEqual([]);
    expect(await readers[1].next()).toBe('end');
    expect(await readers[1].next()).toBe('end');
    expect(disposed).toEqual(['every subpartition was consumed; a pipelined partition is read once']);
  });

  it('holds the producer back once the queue is at capacity, and lets a batch out only against a credit', async () => {
    const partition = new ResultPartition('a1/v2', 1, { subpartitionCapacity: 3 });
    const reader = partition.createReader(0);
    await partition.emit(0, batchOf('p', 0));
    await partition.emit(0, batchOf('p', 1));
    const third = partition.emit(0, batchOf('p', 2));
    expect(await stillPending(third)).toBe(true);

    const read = reader.next();
    expect(await stillPending(read)).toBe(true);
    reader.addCredit(1);
    expect(recordOf((await read) as never)).toEqual(['p', 0]);
    await third;
  });

  it('sends the end without credit, so a consumer that holds its batches still learns the producer finished', async () => {
    const partition = new ResultPartition('a1/v2', 1);
    const reader = partition.createReader(0);
    reader.addCredit(1);
    await partition.emit(0, batchOf('p', 0));
    partition.finish();
    expect(recordOf((await reader.next()) as never)).toEqual(['p', 0]);
    expect(await reader.next()).toBe('end');
  });

  it('refuses a second reader of a subpartition and an index out of range, naming the partition', () => {
    const partition = new ResultPartition('a1/v2', 2);
    partition.createReader(1, 'consumer-1');
    expect(() => partition.createReader(1, 'consumer-2')).toThrow(FailedPreconditionError);
    expect(() => partition.createReader(1, 'consumer-2')).toThrow(
      'subpartition 1 of result partition a1/v2 is already read by consumer-1; a subpartition is consumed once, so consumer-2 cannot read it again',
    );
    expect(() => partition.createReader(2)).toThrow(InvalidArgumentError);
    expect(() => partition.createReader(2)).toThrow(
      'subpartition 2 does not exist in result partition a1/v2, which has 2 (indexes 0 to 1)',
    );
  });

  it('fails pending and later emits and reads when released, with the reason', async () => {
    const disposed: string[] = [];
    const partition = new ResultPartition('a1/v2', 2, {
      subpartitionCapacity: 1,
      onDisposed: (reason) => disposed.push(reason),
    });
    const reader = partition.createReader(1);
    reader.addCredit(1);
    const read = reader.next();
    const blocked = partition.emit(0, batchOf('p', 0));
    partition.release('producer attempt a1 was cancelled');
    await expect(blocked).rejects.toThrow(PartitionReleasedError);
    await expect(read).rejects.toThrow('result partition a1/v2 was released: producer attempt a1 was cancelled');
    await expect(partition.emit(1, batchOf('p', 1))).rejects.toThrow(PartitionReleasedError);
    expect(() => partition.createReader(0)).toThrow(PartitionReleasedError);
    expect(partition.isReleased).toBe(true);
    expect(disposed).toEqual(['producer attempt a1 was cancelled']);
  });

  it('drops the data of a subpartition whose reader gave up, without holding the producer back', async () => {
    const disposed: string[] = [];
    const partition = new ResultPartition('a1/v2', 1, {
      subpartitionCapacity: 1,
      onDisposed: (reason) => disposed.push(reason),
    });
    const reader = partition.createReader(0);
    const blocked = partition.emit(0, batchOf('p', 0));
    expect(await stillPending(blocked)).toBe(true);
    reader.release();
    await blocked;
    await partition.emit(0, batchOf('p', 1));
    await expect(reader.next()).rejects.toThrow('its reader released subpartition 0');
    expect(disposed).toHaveLength(1);
  });

  it('refuses an emit after finish', async () => {
    const partition = new ResultPartition('a1/v2', 1);
    partition.finish();
    await expect(partition.emit(0, batchOf('p', 0))).rejects.toThrow(FailedPreconditionError);
  });
});
