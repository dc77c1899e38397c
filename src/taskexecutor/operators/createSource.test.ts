import { describe, expect, it } from 'vitest';
import { createSource } from './createSource.js';
import { testTaskContext } from './testing/testTaskContext.js';

async function readAll(source: AsyncIterable<unknown[]>): Promise<unknown[][]> {
  const batches: unknown[][] = [];
  for await (const batch of source) batches.push(batch);
  return batches;
}

describe('createSource', () => {
  it('gives each subtask of a collection source the records at its positions modulo the parallelism', async () => {
    const records = Array.from({ length: 10 }, (_, i) => `r${i}`);
    const spec = { kind: 'collectionSource' as const, name: 'Collection Source', records };
    const shares = await Promise.all(
      [0, 1, 2].map(async (i) => (await readAll(createSource(spec, testTaskContext(i, 3)))).flat()),
    );
    expect(shares).toEqual([
      ['r0', 'r3', 'r6', 'r9'],
      ['r1', 'r4', 'r7'],
      ['r2', 'r5', 'r8'],
    ]);
  });

  it('batches records, never yielding an empty batch', async () => {
    const spec = { kind: 'collectionSource' as const, name: 'Collection Source', records: [1, 2, 3, 4, 5] };
    expect(await readAll(createSource(spec, testTaskContext(), { batchSize: 2 }))).toEqual([[1, 2], [3, 4], [5]]);
    expect(await readAll(createSource({ ...spec, records: [] }, testTaskContext()))).toEqual([]);
    expect(await readAll(createSource(spec, testTaskContext(5, 8)))).toEqual([]);
  });

  it('cuts an inclusive sequence into contiguous nearly equal ranges', async () => {
    const spec = { kind: 'sequenceSource' as const, name: 'Sequence Source', from: 5, to: 14 };
    const shares = await Promise.all(
      [0, 1, 2].map(async (i) => await readAll(createSource(spec, testTaskContext(i, 3), { batchSize: 3 }))),
    );
    expect(shares).toEqual([[[5, 6, 7], [8]], [[9, 10, 11]], [[12, 13, 14]]]);
  });

  it('covers every sequence exactly once for any parallelism', async () => {
    for (const [from, to] of [
      [0, 0],
      [1, 0],
      [-3, 3],
      [0, 99],
    ] as const) {
      for (const parallelism of [1, 2, 3, 7, 150]) {
        const spec = { kind: 'sequenceSource' as const, name: 'Sequence Source', from, to };
        const all: unknown[] = [];
        for (let i = 0; i < parallelism; i++)
          all.push(...(await readAll(createSource(spec, testTaskContext(i, parallelism)))).flat());
        expect(all).toEqual(Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i));
      }
    }
  });

  it('refuses a sequence with bounds that are not integers and a batch size below 1', async () => {
    const spec = { kind: 'sequenceSource' as const, name: 'Sequence Source', from: 0.5, to: 3 };
    await expect(readAll(createSource(spec, testTaskContext()))).rejects.toThrow(/integer bounds/);
    expect(() => createSource({ ...spec, from: 0 }, testTaskContext(), { batchSize: 0 })).toThrow(
      /batchSize must be a positive integer/,
    );
    expect(() => createSource({ ...spec, from: 0 }, testTaskContext(0, 0))).toThrow(
      /parallelism must be a positive integer, got 0/,
    );
  });
});
