import { describe, expect, it } from 'vitest';
import type { OperatorSpec } from '../../jobgraph/jobGraph.js';
import { createStreamOperators } from './createStreamOperators.js';
import type { KeyedAggregationMode } from './KeyedAggregationMode.js';
import type { StreamOperator } from './StreamOperator.js';
import { functionSpec, testFunctionLoader } from './testing/testFunctionLoader.js';

async function single(
  spec: OperatorSpec,
  keySelector?: (record: never) => unknown,
  mode?: KeyedAggregationMode,
): Promise<StreamOperator> {
  const operators = await createStreamOperators(
    [spec],
    testFunctionLoader,
    keySelector && functionSpec(keySelector),
    mode,
  );
  return operators[0];
}

const BATCH: KeyedAggregationMode = { runtimeMode: 'BATCH', preAggregated: false };

describe('stateless operators', () => {
  it('map emits one result per record', async () => {
    const map = await single({ kind: 'map', name: 'Map', fn: functionSpec((x: number) => x * 10) });
    expect(map.processBatch([1, 2, 3])).toEqual([10, 20, 30]);
  });

  it('flatMap emits the elements of any iterable, and nothing for null or undefined', async () => {
    const flatMap = await single({
      kind: 'flatMap',
      name: 'Flat Map',
      fn: functionSpec((line: string) =>
        line === 'set' ? new Set(['s1', 's2']) : line === 'none' ? undefined : line.split(' '),
      ),
    });
    expect(flatMap.processBatch(['a b', 'set', 'none', '', 'c'])).toEqual(['a', 'b', 's1', 's2', '', 'c']);
    const generator = await single({
      kind: 'flatMap',
      name: 'Flat Map',
      fn: functionSpec(function* (n: number) {
        for (let i = 0; i < n; i++) yield i;
      }),
    });
    expect(generator.processBatch([2, 0, 3])).toEqual([0, 1, 0, 1, 2]);
  });

  it('flatMap refuses results that are not iterable, strings included', async () => {
    const flatMap = await single({
      kind: 'flatMap',
      name: 'Split',
      fn: functionSpec((line: string) => line.toUpperCase()),
    });
    expect(() => flatMap.processBatch(['abc'])).toThrow(
      /the flatMap function of "Split" must return an iterable of records .* got a string/,
    );
  });

  it('filter keeps the records its predicate accepts, in order', async () => {
    const filter = await single({ kind: 'filter', name: 'Filter', fn: functionSpec((x: number) => x % 2 === 0) });
    expect(filter.processBatch([1, 2, 3, 4, 6])).toEqual([2, 4, 6]);
    expect(filter.processBatch([1, 3])).toEqual([]);
  });

  it('refuses async user functions instead of passing Promises on', async () => {
    const filter = await single({ kind: 'filter', name: 'Filter', fn: functionSpec(async (x: number) => x > 1) });
    expect(() => filter.processBatch([1])).toThrow(
      /the filter function of "Filter" returned a Promise; user functions must be synchronous/,
    );
  });

  it('lets errors of user functions through unchanged', async () => {
    const map = await single({
      kind: 'map',
      name: 'Map',
      fn: functionSpec((x: number) => {
        if (x === 2) throw new RangeError(`no ${x}`);
        return x;
      }),
    });
    let caught: unknown;
    try {
      map.processBatch([1, 2]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RangeError);
    expect((caught as Error).message).toBe('no 2');
  });
});

describe('keyed operators', () => {
  it('reduce emits each key’s new accumulator, starting with its first record', async () => {
    const reduce = await single(
      {
        kind: 'reduce',
        name: 'Keyed Reduce',
        fn: functionSpec((a: [string, number], b: [string, number]) => [a[0], a[1] + b[1]]),
      },
      (pair: [string, number]) => pair[0],
    );
    expect(
      reduce.processBatch([
        ['a', 1],
        ['b', 10],
        ['a', 2],
      ]),
    ).toEqual([
      ['a', 1],
      ['b', 10],
      ['a', 3],
    ]);
    expect(reduce.processBatch([['a', 4]])).toEqual([['a', 7]]);
  });

  it('reduce keys objects by value, whatever the order of their properties', async () => {
    const reduce = await single(
      {
        kind: 'reduce',
        name: 'Keyed Reduce',
        fn: functionSpec((a: { n: number }, b: { n: number }) => ({ ...b, n: a.n + b.n })),
      },
      (record: { key: object }) => record.key,
    );
    const out = reduce.processBatch([
      { key: { x: 1, y: 2 }, n: 1 },
      { key: { y: 2, x: 1 }, n: 5 },
    ]);
    expect(out[1]).toEqual({ key: { y: 2, x: 1 }, n: 6 });
  });

  it('sum by tuple index emits a copy of the first record with the running sum', async () => {
    const sum = await single({ kind: 'sum', name: 'Keyed Aggregation', field: '1' }, (t: unknown[]) => t[0]);
    const first = ['a', 1, 'first'];
    const out = sum.processBatch([first, ['b', 5, 'b'], ['a', 2, 'second'], ['a', 3, 'third']]);
    expect(out).toEqual([
      ['a', 1, 'first'],
      ['b', 5, 'b'],
      ['a', 3, 'first'],
      ['a', 6, 'first'],
    ]);
    expect(first).toEqual(['a', 1, 'first']);
    expect(out[0]).not.toBe(first);
  });

  it('sum by property name, and of the records themselves', async () => {
    const byProperty = await single({ kind: 'sum', name: 'Sum', field: 'amount' }, (r: { user: string }) => r.user);
    expect(
      byProperty.processBatch([
        { user: 'ann', amount: 5, note: 'x' },
        { user: 'ann', amount: 7, note: 'y' },
      ]),
    ).toEqual([
      { user: 'ann', amount: 5, note: 'x' },
      { user: 'ann', amount: 12, note: 'x' },
    ]);
    const itself = await single({ kind: 'sum', name: 'Sum', field: '' }, (n: number) => n % 2);
    expect(itself.processBatch([1, 2, 3, 4, 5])).toEqual([1, 2, 4, 6, 9]);
    const bigints = await single({ kind: 'sum', name: 'Sum', field: '' }, () => 'all');
    expect(bigints.processBatch([1n, 2n])).toEqual([1n, 3n]);
  });

  it('sum names the field and shows the record when the field is not a number', async () => {
    const sum = await single({ kind: 'sum', name: 'Sum', field: '1' }, (t: unknown[]) => t[0]);
    expect(() => sum.processBatch([['a', '1']])).toThrow(
      /"Sum" sums field "1", but a record has a string there: \["a","1"\]/,
    );
    const missing = await single({ kind: 'sum', name: 'Sum', field: 'amount' }, () => 'k');
    expect(() => missing.processBatch([{ other: 1 }])).toThrow(/has nothing there/);
  });

  it('count emits [key, count so far] per record', async () => {
    const count = await single({ kind: 'count', name: 'Count' }, (word: string) => word);
    expect(count.processBatch(['x', 'y', 'x', 'x'])).toEqual([
      ['x', 1],
      ['y', 1],
      ['x', 2],
      ['x', 3],
    ]);
    expect(count.processBatch(['y'])).toEqual([['y', 2]]);
  });

  it('needs the key selector of the input edge', async () => {
    await expect(createStreamOperators([{ kind: 'count', name: 'Count' }], testFunctionLoader)).rejects.toThrow(
      /the keyed operator "Count" \(count\) needs the key selector of its input edge/,
    );
  });

  it('refuses operators that cannot run inside a chain', async () => {
    await expect(
      createStreamOperators([{ kind: 'printSink', name: 'Print', prefix: '' }], testFunctionLoader),
    ).rejects.toThrow(/"Print" of kind printSink cannot run inside a chain/);
  });
});

describe('keyed operators in BATCH mode', () => {
  it('reduce folds silently and emits each key’s final value at the end of input, keys in order of arrival', async () => {
    const reduce = await single(
      { kind: 'reduce', name: 'Keyed Reduce', fn: functionSpec((a: number, b: number) => a + b) },
      (n: number) => n % 3,
      BATCH,
    );
    expect(reduce.processBatch([1, 2, 3, 4])).toEqual([]);
    expect(reduce.processBatch([5, 6])).toEqual([]);
    expect(reduce.endInput?.()).toEqual([5, 7, 9]);
  });

  it('sum emits the first record of each key with its total', async () => {
    const sum = await single({ kind: 'sum', name: 'Keyed Aggregation', field: '1' }, (t: unknown[]) => t[0], BATCH);
    expect(
      sum.processBatch([
        ['a', 1, 'first'],
        ['b', 5, 'b'],
        ['a', 2, 'second'],
      ]),
    ).toEqual([]);
    expect(sum.endInput?.()).toEqual([
      ['a', 3, 'first'],
      ['b', 5, 'b'],
    ]);
  });

  it('count emits [key, total], and adds up [key, n] partials when its input is pre-aggregated', async () => {
    const count = await single({ kind: 'count', name: 'Count' }, (word: string) => word, BATCH);
    expect(count.processBatch(['x', 'y', 'x'])).toEqual([]);
    expect(count.endInput?.()).toEqual([
      ['x', 2],
      ['y', 1],
    ]);
    const partials = await single({ kind: 'count', name: 'Count' }, (word: string) => word, {
      runtimeMode: 'BATCH',
      preAggregated: true,
    });
    expect(
      partials.processBatch([
        ['x', 2],
        ['y', 1],
        ['x', 5],
      ]),
    ).toEqual([]);
    expect(partials.endInput?.()).toEqual([
      ['x', 7],
      ['y', 1],
    ]);
    expect(() => partials.processBatch(['x'])).toThrow(
      /"Count" expects partials \[key, value\] from its pre-aggregating producers/,
    );
    expect(() => partials.processBatch([['x', 'two']])).toThrow(/"Count" expects partial counts \[key, n\]/);
  });

  it('reduce and sum take pre-aggregated [key, value] partials by the key their producers computed, whatever the value holds', async () => {
    const PARTIALS: KeyedAggregationMode = { runtimeMode: 'BATCH', preAggregated: true };
    // The reduce function drops the user field its key selector reads: only the partial's key knows it.
    const reduce = await single(
      {
        kind: 'reduce',
        name: 'Keyed Reduce',
        fn: functionSpec((a: { total: number }, b: { total: number }) => ({ total: a.total + b.total })),
      },
      (order: { user: string }) => order.user,
      PARTIALS,
    );
    reduce.processBatch([
      ['ann', { total: 5 }],
      ['bob', { total: 1 }],
      ['ann', { total: 7 }],
    ]);
    expect(reduce.endInput?.()).toEqual([{ total: 12 }, { total: 1 }]);
    const sum = await single({ kind: 'sum', name: 'Keyed Aggregation', field: '1' }, (t: unknown[]) => t[0], PARTIALS);
    sum.processBatch([
      ['a', ['a', 3, 'first']],
      ['a', ['a', 4, 'other']],
    ]);
    expect(sum.endInput?.()).toEqual([['a', 7, 'first']]);
  });

  it('keys strings and other values apart, as streaming mode does: "1" is not 1', async () => {
    const count = await single({ kind: 'count', name: 'Count' }, (key: unknown) => key, BATCH);
    count.processBatch(['1', 1, '1', { a: 1, b: 2 }, { b: 2, a: 1 }, 1]);
    expect(count.endInput?.()).toEqual([
      ['1', 2],
      [1, 2],
      [{ a: 1, b: 2 }, 2],
    ]);
  });

  it('emits nothing at the end in STREAMING mode, which emitted as it went', async () => {
    const count = await single({ kind: 'count', name: 'Count' }, (word: string) => word);
    expect(count.processBatch(['x'])).toEqual([['x', 1]]);
    expect(count.endInput?.()).toEqual([]);
  });
});
