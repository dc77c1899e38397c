import { describe, expect, it } from 'vitest';
import type { KeyedAggregationSpec } from '../../jobgraph/keyedAggregation.js';
import { createOutputPartitioner } from './createOutputPartitioner.js';
import { PreAggregatingPartitioner } from './PreAggregatingPartitioner.js';
import { RecordPartitioner } from './RecordPartitioner.js';
import { selectChannel } from '../../runtime/partitioning/selectChannel.js';
import { functionSpec, testFunctionLoader } from './testing/testFunctionLoader.js';

const byWord = functionSpec((pair: [string, number]) => pair[0]);
const SUM: KeyedAggregationSpec = { kind: 'sum', name: 'Keyed Aggregation', field: '1' };
const pairs = (words: string): [string, number][] => words.split(' ').map((word) => [word, 1]);

function create(aggregation: KeyedAggregationSpec, numberOfChannels: number, maxKeys?: number) {
  return PreAggregatingPartitioner.create({
    aggregation,
    keySelector: byWord,
    loader: testFunctionLoader,
    numberOfChannels,
    subtaskIndex: 0,
    maxKeys,
  });
}

describe('PreAggregatingPartitioner', () => {
  it('sends nothing while folding, then one partial [key, value] per key on the channel its records would have gone to', async () => {
    const partitioner = await create(SUM, 3);
    expect(partitioner.partition(pairs('to be or not to be'))).toEqual([]);
    expect(partitioner.partition(pairs('to die'))).toEqual([]);
    const channels = partitioner.flush();
    expect(channels.flat().sort()).toEqual([
      ['be', ['be', 2]],
      ['die', ['die', 1]],
      ['not', ['not', 1]],
      ['or', ['or', 1]],
      ['to', ['to', 3]],
    ]);
    channels.forEach((batch, channel) => {
      for (const [word] of batch as [string, unknown][]) expect(selectChannel(word, 3)).toBe(channel);
    });
    expect(partitioner.flush()).toEqual([]);
  });

  it('counts into [key, n] partials', async () => {
    const partitioner = await create({ kind: 'count', name: 'Keyed Aggregation' }, 2);
    partitioner.partition(pairs('a b a c a'));
    const channels = partitioner.flush();
    expect(channels.flat().sort()).toEqual([
      ['a', 3],
      ['b', 1],
      ['c', 1],
    ]);
    channels.forEach((batch, channel) => {
      for (const [word] of batch as [string, number][]) expect(selectChannel(word, 2)).toBe(channel);
    });
  });

  it('reduces with the user’s function, and routes by the key even when the reduced value no longer holds it', async () => {
    const partitioner = await PreAggregatingPartitioner.create({
      aggregation: {
        kind: 'reduce',
        name: 'Keyed Reduce',
        fn: functionSpec((a: { n: number }, b: { n: number }) => ({ n: Math.max(a.n, b.n) })),
      },
      keySelector: functionSpec((record: { parity: number }) => record.parity),
      loader: testFunctionLoader,
      numberOfChannels: 2,
      subtaskIndex: 0,
    });
    partitioner.partition([3, 8, 5, 2, 9, 4].map((n) => ({ parity: n % 2, n })));
    const channels = partitioner.flush();
    expect(channels.flat()).toEqual(
      expect.arrayContaining([
        [1, { n: 9 }],
        [0, { n: 8 }],
      ]),
    );
    channels.forEach((batch, channel) => {
      for (const [parity] of batch as [number, unknown][]) expect(selectChannel(parity, 2)).toBe(channel);
    });
  });

  it('sends what it holds once it holds maxKeys keys, so memory stays bounded, and the totals stay right', async () => {
    const partitioner = await create({ kind: 'count', name: 'Keyed Aggregation' }, 1, 2);
    expect(partitioner.partition(pairs('a a'))).toEqual([]);
    expect(partitioner.partition(pairs('b a'))).toEqual([
      [
        ['a', 3],
        ['b', 1],
      ],
    ]);
    expect(partitioner.partition(pairs('b'))).toEqual([]);
    expect(partitioner.flush()).toEqual([[['b', 1]]]);
  });

  it('is what createOutputPartitioner makes for an output with a pre-aggregation, and only for a hash edge', async () => {
    const base = { numberOfChannels: 2, subtaskIndex: 0, loader: testFunctionLoader };
    expect(
      await createOutputPartitioner({ ...base, shipStrategy: 'hash', keySelector: byWord, preAggregation: SUM }),
    ).toBeInstanceOf(PreAggregatingPartitioner);
    expect(await createOutputPartitioner({ ...base, shipStrategy: 'hash', keySelector: byWord })).toBeInstanceOf(
      RecordPartitioner,
    );
    await expect(createOutputPartitioner({ ...base, shipStrategy: 'rebalance', preAggregation: SUM })).rejects.toThrow(
      /the pre-aggregation "Keyed Aggregation" needs a hash edge with a key selector/,
    );
  });
});
