import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAbortError } from 'abort-controller-x';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OperatorSpec } from '../../jobgraph/jobGraph.js';
import { createOutputPartitioner } from './createOutputPartitioner.js';
import type { OutputPartitioner } from './OutputPartitioner.js';
import { RecordPartitioner } from './RecordPartitioner.js';
import type { RecordWriter } from './RecordWriter.js';
import { runTaskPipeline } from './runTaskPipeline.js';
import { functionSpec, testFunctionLoader } from './testing/testFunctionLoader.js';
import { testTaskContext } from './testing/testTaskContext.js';

const TEXT = [
  'To be, or not to be, that is the question:',
  'Whether tis nobler in the mind to suffer',
  'The slings and arrows of outrageous fortune,',
  'Or to take arms against a sea of troubles',
  'And by opposing end them. To die—to sleep,',
  'No more; and by a sleep to say we end',
  'The heart-ache and the thousand natural shocks',
  'That flesh is heir to: tis a consummation',
  'Devoutly to be wish’d. To die, to sleep;',
  'To sleep, perchance to dream—ay, there’s the rub:',
];

/** Writes TEXT 30 times into `dir`; returns the file's path. */
function writeHamlet(dir: string): string {
  const input = join(dir, 'hamlet.txt');
  writeFileSync(input, `${Array.from({ length: 30 }, () => TEXT.join('\n')).join('\n')}\n`);
  return input;
}

/** The words of TEXT, lower case. */
const hamletWords = (text: string) =>
  text
    .toLowerCase()
    .split(/[^\p{L}]+/u)
    .filter((word) => word !== '');

/** The counts of the words of the file writeHamlet() writes. */
function hamletCounts(): Map<string, number> {
  const reference = new Map<string, number>();
  for (const word of hamletWords(TEXT.join('\n'))) reference.set(word, (reference.get(word) ?? 0) + 30);
  return reference;
}

/** Source, split into words, pair each with 1: word count's producer chain. */
function tokenizeSpecs(input: string): OperatorSpec[] {
  return [
    { kind: 'textFileSource', name: 'Source: Text File', path: input },
    {
      kind: 'flatMap',
      name: 'Flat Map',
      fn: functionSpec((line: string) =>
        line
          .toLowerCase()
          .split(/[^\p{L}]+/u)
          .filter((word) => word !== ''),
      ),
    },
    { kind: 'map', name: 'Map', fn: functionSpec((word: string) => [word, 1]) },
  ];
}

/** A network output that routes batches with a partitioner into per-channel queues, as the data exchange does (WorkerOutput). */
function partitioningOutput(partitioner: OutputPartitioner, channels: unknown[][][]): RecordWriter {
  const send = (batches: unknown[][]) =>
    batches.forEach((batch, channel) => {
      if (batch.length > 0) channels[channel].push(batch);
    });
  return {
    async emit(records) {
      send(partitioner.partition(records));
    },
    async finish() {
      send(partitioner.flush());
    },
  };
}

async function* fromBatches(batches: unknown[][]): AsyncGenerator<unknown[]> {
  for (const batch of batches) yield batch;
}

describe('runTaskPipeline', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-pipeline-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts words over several subtasks like a plain computation does', async () => {
    const input = writeHamlet(dir);
    const output = join(dir, 'counts');
    const producers = 3;
    const consumers = 4;
    const keySelector = functionSpec((pair: [string, number]) => pair[0]);
    const tokenize = tokenizeSpecs(input);
    const channels: unknown[][][] = Array.from({ length: consumers }, () => []);
    let wordsRead = 0;
    for (let i = 0; i < producers; i++) {
      const context = testTaskContext(i, producers);
      const partitioner = await RecordPartitioner.create({
        shipStrategy: 'hash',
        numberOfChannels: consumers,
        subtaskIndex: i,
        keySelector,
        loader: testFunctionLoader,
      });
      const result = await runTaskPipeline({
        operators: tokenize,
        context,
        loader: testFunctionLoader,
        output: partitioningOutput(partitioner, channels),
        batchSize: 16,
        readChunkSize: 100,
      });
      wordsRead += result.numRecordsOut;
    }
    const sum: OperatorSpec[] = [
      { kind: 'sum', name: 'Keyed Aggregation', field: '1' },
      { kind: 'textFileSink', name: 'Sink: Text File', path: output, overwrite: false },
    ];
    for (let i = 0; i < consumers; i++) {
      const context = testTaskContext(i, consumers);
      await runTaskPipeline({
        operators: sum,
        context,
        loader: testFunctionLoader,
        keySelector,
        input: fromBatches(channels[i]),
      });
    }

    const reference = hamletCounts();
    expect(wordsRead).toBe([...reference.values()].reduce((a, b) => a + b, 0));
    expect(
      readdirSync(output)
        .filter((name) => !name.startsWith('.'))
        .sort(),
    ).toEqual(['part-0', 'part-1', 'part-2', 'part-3']);
    const finalCounts = new Map<string, number>();
    const keysByPart = new Map<string, string>();
    for (const part of ['part-0', 'part-1', 'part-2', 'part-3']) {
      for (const line of readFileSync(join(output, part), 'utf8')
        .split('\n')
        .filter((l) => l !== '')) {
        const [word, count] = JSON.parse(line) as [string, number];
        finalCounts.set(word, count);
        expect(keysByPart.get(word) ?? part).toBe(part);
        keysByPart.set(word, part);
      }
    }
    expect(finalCounts).toEqual(reference);
  });

  it('counts words in BATCH mode with a pre-aggregation: one final line per word, and only partials cross the exchange', async () => {
    const input = writeHamlet(dir);
    const output = join(dir, 'counts');
    const producers = 3;
    const consumers = 2;
    const keySelector = functionSpec((pair: [string, number]) => pair[0]);
    const sumSpec = { kind: 'sum', name: 'Keyed Aggregation', field: '1' } as const;
    const tokenize = tokenizeSpecs(input);
    const channels: unknown[][][] = Array.from({ length: consumers }, () => []);
    for (let i = 0; i < producers; i++) {
      const partitioner = await createOutputPartitioner({
        shipStrategy: 'hash',
        numberOfChannels: consumers,
        subtaskIndex: i,
        keySelector,
        preAggregation: sumSpec,
        loader: testFunctionLoader,
      });
      await runTaskPipeline({
        operators: tokenize,
        context: testTaskContext(i, producers),
        loader: testFunctionLoader,
        output: partitioningOutput(partitioner, channels),
        batchSize: 16,
        readChunkSize: 100,
      });
    }
    const reference = hamletCounts();
    const partials = channels.flat(2);
    expect(partials.length).toBeLessThanOrEqual(producers * reference.size);
    let linesOut = 0;
    for (let i = 0; i < consumers; i++) {
      const result = await runTaskPipeline({
        operators: [sumSpec, { kind: 'textFileSink', name: 'Sink: Text File', path: output, overwrite: false }],
        context: testTaskContext(i, consumers),
        loader: testFunctionLoader,
        keySelector,
        keyedMode: { runtimeMode: 'BATCH', preAggregated: true },
        input: fromBatches(channels[i]),
      });
      linesOut += result.numRecordsOut;
    }
    const lines = ['part-0', 'part-1'].flatMap((part) =>
      readFileSync(join(output, part), 'utf8')
        .split('\n')
        .filter((line) => line !== ''),
    );
    expect(linesOut).toBe(reference.size);
    expect(new Map(lines.map((line) => JSON.parse(line) as [string, number]))).toEqual(reference);
    expect(lines).toHaveLength(reference.size);
  });

  it('runs a source into a sink and reports the records in and out', async () => {
    const lines: string[] = [];
    const result = await runTaskPipeline({
      operators: [
        { kind: 'sequenceSource', name: 'Source: Sequence', from: 1, to: 10 },
        { kind: 'filter', name: 'Filter', fn: functionSpec((n: number) => n % 2 === 0) },
        { kind: 'printSink', name: 'Sink: Print', prefix: 'even' },
      ],
      context: testTaskContext(1, 2),
      loader: testFunctionLoader,
      sinks: { printLine: (line) => lines.push(line) },
      batchSize: 2,
    });
    expect(lines).toEqual(['even:2> 6', 'even:2> 8', 'even:2> 10']);
    expect(result).toEqual({ numRecordsIn: 5, numRecordsOut: 3 });
  });

  it('rethrows a user function’s error unchanged and leaves no output file', async () => {
    const output = join(dir, 'out');
    const failure = new TypeError('bad record 7');
    const failing = functionSpec((n: number) => n);
    const run = runTaskPipeline({
      operators: [
        { kind: 'sequenceSource', name: 'Source: Sequence', from: 1, to: 100 },
        { kind: 'map', name: 'Map', fn: failing },
        { kind: 'textFileSink', name: 'Sink: Text File', path: output, overwrite: true },
      ],
      context: testTaskContext(),
      // A loader that hands out a function closing over `failure`, which a shipped source cannot.
      loader: async (spec) =>
        spec === failing
          ? (n: number) => {
              if (n === 7) throw failure;
              return n;
            }
          : testFunctionLoader(spec),
      batchSize: 4,
    });
    await expect(run).rejects.toBe(failure);
    expect(readdirSync(output)).toEqual([]);
  });

  it('stops between batches when cancelled, rejects with an AbortError and aborts the file sink', async () => {
    const output = join(dir, 'out');
    const controller = new AbortController();
    let batchesRead = 0;
    async function* input(): AsyncGenerator<unknown[]> {
      for (let i = 0; i < 100; i++) {
        batchesRead++;
        if (i === 3) controller.abort();
        yield [i];
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    const run = runTaskPipeline({
      operators: [{ kind: 'textFileSink', name: 'Sink: Text File', path: output, overwrite: false }],
      context: testTaskContext(),
      loader: testFunctionLoader,
      input: input(),
      signal: controller.signal,
    });
    const error = await run.catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
    expect(batchesRead).toBeLessThanOrEqual(5);
    expect(existsSync(output) ? readdirSync(output) : []).toEqual([]);
  });

  it('stops while waiting for input that does not come', async () => {
    const controller = new AbortController();
    let closed = false;
    const input: AsyncIterable<unknown[]> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<unknown[]>>(() => undefined),
        return: async () => {
          closed = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const run = runTaskPipeline({
      operators: [{ kind: 'collectSink', name: 'Sink: Collect' }],
      context: testTaskContext(),
      loader: testFunctionLoader,
      input,
      sinks: { collect: async () => undefined },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await expect(run).rejects.toSatisfy(isAbortError);
    expect(closed).toBe(true);
  });

  it('does not start when already cancelled', async () => {
    const output = join(dir, 'out');
    const run = runTaskPipeline({
      operators: [
        { kind: 'sequenceSource', name: 'Source: Sequence', from: 1, to: 3 },
        { kind: 'textFileSink', name: 'Sink: Text File', path: output, overwrite: false },
      ],
      context: testTaskContext(),
      loader: testFunctionLoader,
      signal: AbortSignal.abort(),
    });
    await expect(run).rejects.toSatisfy(isAbortError);
    expect(existsSync(output)).toBe(false);
  });

  it('needs exactly one of a source and a network input', async () => {
    const print: OperatorSpec = { kind: 'printSink', name: 'Sink: Print', prefix: '' };
    const source: OperatorSpec = { kind: 'sequenceSource', name: 'Source: Sequence', from: 1, to: 3 };
    const base = { context: testTaskContext(), loader: testFunctionLoader, sinks: { printLine: () => undefined } };
    await expect(runTaskPipeline({ ...base, operators: [print] })).rejects.toThrow(
      /has neither a source nor a network input/,
    );
    await expect(runTaskPipeline({ ...base, operators: [source, print], input: fromBatches([]) })).rejects.toThrow(
      /cannot also read a network input/,
    );
    await expect(
      runTaskPipeline({ ...base, operators: [source, print], context: testTaskContext(2, 2) }),
    ).rejects.toThrow(/subtask index 2 is not in \[0, 2\)/);
  });
});
