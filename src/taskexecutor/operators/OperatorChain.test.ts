import { describe, expect, it } from 'vitest';
import type { OperatorSpec } from '../../jobgraph/jobGraph.js';
import { OperatorChain } from './OperatorChain.js';
import type { RecordWriter } from './RecordWriter.js';
import { functionSpec, testFunctionLoader } from './testing/testFunctionLoader.js';
import { testTaskContext } from './testing/testTaskContext.js';

/** A network output that keeps what it gets. */
function collectingOutput(): RecordWriter & { batches: unknown[][]; finished: boolean } {
  const output = {
    batches: [] as unknown[][],
    finished: false,
    async emit(records: unknown[]) {
      output.batches.push(records);
    },
    async finish() {
      output.finished = true;
    },
  };
  return output;
}

const double: OperatorSpec = { kind: 'map', name: 'Map', fn: functionSpec((x: number) => x * 2) };
const bigOnly: OperatorSpec = { kind: 'filter', name: 'Filter', fn: functionSpec((x: number) => x > 4) };

describe('OperatorChain', () => {
  it('pushes batches through its operators into the network output, skipping empty results', async () => {
    const output = collectingOutput();
    const chain = new OperatorChain({
      operators: [double, bigOnly],
      context: testTaskContext(),
      loader: testFunctionLoader,
      output,
    });
    await chain.open();
    await chain.processBatch([1, 2, 3, 4]);
    await chain.processBatch([1, 2]);
    await chain.finish();
    expect(output.batches).toEqual([[6, 8]]);
    expect(output.finished).toBe(true);
    expect(chain.numRecordsOut).toBe(2);
  });

  it('forwards records unchanged when it has no operators', async () => {
    const output = collectingOutput();
    const chain = new OperatorChain({ operators: [], context: testTaskContext(), loader: testFunctionLoader, output });
    await chain.open();
    await chain.processBatch(['a']);
    expect(output.batches).toEqual([['a']]);
  });

  it('ends in a collect sink, awaiting the collector for every batch', async () => {
    const collected: unknown[][] = [];
    let release: () => void = () => undefined;
    const chain = new OperatorChain({
      operators: [double, { kind: 'collectSink', name: 'Sink: Collect' }],
      context: testTaskContext(),
      loader: testFunctionLoader,
      sinks: {
        collect: (records) =>
          new Promise<void>((resolve) => {
            collected.push(records);
            release = resolve;
          }),
      },
    });
    await chain.open();
    let processed = false;
    const processing = chain.processBatch([1, 2]).then(() => {
      processed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(collected).toEqual([[2, 4]]);
    expect(processed).toBe(false);
    release();
    await processing;
    expect(processed).toBe(true);
  });

  it('ends in a print sink', async () => {
    const lines: string[] = [];
    const chain = new OperatorChain({
      operators: [double, { kind: 'printSink', name: 'Sink: Print', prefix: '' }],
      context: testTaskContext(3, 4),
      loader: testFunctionLoader,
      sinks: { printLine: (line) => lines.push(line) },
    });
    await chain.open();
    await chain.processBatch([1, 2]);
    await chain.finish();
    expect(lines).toEqual(['4> 2', '4> 4']);
  });

  it('refuses chains of the wrong shape', () => {
    const base = { context: testTaskContext(), loader: testFunctionLoader };
    const print: OperatorSpec = { kind: 'printSink', name: 'Sink: Print', prefix: '' };
    const source: OperatorSpec = { kind: 'sequenceSource', name: 'Source', from: 0, to: 1 };
    expect(() => new OperatorChain({ ...base, operators: [double] })).toThrow(/needs a network output/);
    expect(() => new OperatorChain({ ...base, operators: [print], output: collectingOutput() })).toThrow(
      /has no network output/,
    );
    expect(() => new OperatorChain({ ...base, operators: [print, double] })).toThrow(
      /"Sink: Print" \(printSink\) cannot be at position 1/,
    );
    expect(() => new OperatorChain({ ...base, operators: [source], output: collectingOutput() })).toThrow(
      /cannot be at position 1/,
    );
    expect(() => new OperatorChain({ ...base, operators: [{ kind: 'collectSink', name: 'Sink: Collect' }] })).toThrow(
      /no collector/,
    );
  });

  it('refuses batches before it is opened and after it has finished', async () => {
    const chain = new OperatorChain({
      operators: [double],
      context: testTaskContext(),
      loader: testFunctionLoader,
      output: collectingOutput(),
    });
    await expect(chain.processBatch([1])).rejects.toThrow(/is created, not open/);
    await chain.open();
    await chain.finish();
    await expect(chain.processBatch([1])).rejects.toThrow(/is finished, not open/);
  });

  it('fails to open when a user function cannot be loaded', async () => {
    const broken: OperatorSpec = {
      kind: 'map',
      name: 'Map',
      fn: { source: 'x => {', module: 'main.ts', line: 7, boundValuesJson: '{}' },
    };
    const chain = new OperatorChain({
      operators: [broken],
      context: testTaskContext(),
      loader: testFunctionLoader,
      output: collectingOutput(),
    });
    await expect(chain.open()).rejects.toThrow(SyntaxError);
  });
});
