import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError, UnavailableError } from '../../common/errors.js';
import { partitionIdOf } from '../../runtime/TaskDeploymentDescriptor.js';
import { PartitionNotFoundError, PartitionReleasedError } from './errors.js';
import { ResultPartitionManager } from './ResultPartitionManager.js';
import { batchOf, recordOf, stillPending } from './testing/networkTesting.js';

describe('ResultPartitionManager', () => {
  it('lets a consumer ask before its producer registers, and hands it the reader on registration', async () => {
    const manager = new ResultPartitionManager();
    const requested = manager.requestSubpartition('a1/v2', 1, { timeoutMs: 10_000 });
    expect(await stillPending(requested)).toBe(true);
    const partition = manager.register('a1/v2', 2);
    const reader = await requested;
    reader.addCredit(1);
    await partition.emit(1, batchOf('p', 0));
    expect(recordOf((await reader.next()) as never)).toEqual(['p', 0]);
  });

  it('rejects with a PartitionNotFoundError (NOT_FOUND) when the partition does not appear in time', async () => {
    const manager = new ResultPartitionManager();
    const error = await manager.requestSubpartition('a9/v2', 0, { timeoutMs: 50 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PartitionNotFoundError);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe(
      'result partition a9/v2 was not registered at this task executor within 50 ms; its producer was not deployed here, ' +
        'failed before it started, or the consumer was given the wrong address',
    );
  });

  it('stops waiting when the request is aborted', async () => {
    const manager = new ResultPartitionManager();
    const abort = new AbortController();
    const requested = manager.requestSubpartition('a1/v2', 0, { signal: abort.signal });
    abort.abort();
    await expect(requested).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses a second registration of one id and an out-of-range request once the partition is there', async () => {
    const manager = new ResultPartitionManager();
    manager.register('a1/v2', 2);
    expect(() => manager.register('a1/v2', 2)).toThrow(AlreadyExistsError);
    await expect(manager.requestSubpartition('a1/v2', 5)).rejects.toThrow(
      'subpartition 5 does not exist in result partition a1/v2',
    );
  });

  it('releases the partitions of one attempt, failing their readers and waiting consumers with the reason', async () => {
    const manager = new ResultPartitionManager();
    const produced = manager.register(partitionIdOf('a1', 'v2'), 1);
    manager.register(partitionIdOf('a1', 'v3'), 1);
    manager.register(partitionIdOf('a10', 'v2'), 1);
    const reader = await manager.requestSubpartition('a1/v2', 0);
    const read = reader.next();
    const waiting = manager.requestSubpartition('a1/v4', 0);

    expect(manager.releaseAttempt('a1', 'attempt a1 was cancelled')).toBe(2);
    await expect(read).rejects.toThrow('result partition a1/v2 was released: attempt a1 was cancelled');
    await expect(waiting).rejects.toThrow(PartitionReleasedError);
    await expect(produced.emit(0, batchOf('p', 0))).rejects.toThrow(PartitionReleasedError);
    expect([manager.has('a1/v2'), manager.has('a1/v3'), manager.has('a10/v2')]).toEqual([false, false, true]);
    // A late consumer learns at once why, instead of waiting for the timeout.
    await expect(manager.requestSubpartition('a1/v3', 0, { timeoutMs: 60_000 })).rejects.toThrow(
      'was released: attempt a1 was cancelled',
    );
  });

  it('removes a partition once every subpartition was read to its end', async () => {
    const manager = new ResultPartitionManager();
    const partition = manager.register('a1/v2', 2);
    const readers = await Promise.all([
      manager.requestSubpartition('a1/v2', 0),
      manager.requestSubpartition('a1/v2', 1),
    ]);
    partition.finish();
    expect(await readers[0].next()).toBe('end');
    expect(manager.has('a1/v2')).toBe(true);
    expect(await readers[1].next()).toBe('end');
    expect(manager.size).toBe(0);
    await expect(manager.requestSubpartition('a1/v2', 0)).rejects.toThrow('every subpartition was consumed');
  });

  it('releases everything on close and refuses later work with UNAVAILABLE', async () => {
    const manager = new ResultPartitionManager();
    const partition = manager.register('a1/v2', 1);
    const waiting = manager.requestSubpartition('a2/v2', 0);
    manager.close();
    expect(partition.isReleased).toBe(true);
    await expect(waiting).rejects.toThrow(UnavailableError);
    expect(() => manager.register('a3/v2', 1)).toThrow(UnavailableError);
    await expect(manager.requestSubpartition('a3/v2', 0)).rejects.toThrow('the task executor is shutting down');
  });
});
