import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../common/errors.js';
import type { JobGraph } from '../jobgraph/jobGraph.js';
import { ExecutionEnvironment } from './ExecutionEnvironment.js';
import type { FunctionCapturer } from './FunctionCapturer.js';
import { JobExecutionError } from './JobExecutionError.js';
import { FakeJobSubmitter, type CannedResult } from './testing/FakeJobSubmitter.js';
import { testCapturer } from './testing/testCapturer.js';

/** Answers with `records` for every vertex that ends in a collect sink, and junk under another id. */
function collecting(records: (sinkVertexId: string) => unknown[]) {
  return (graph: JobGraph): CannedResult => {
    const sinks = graph.vertices.filter((vertex) => vertex.operators.at(-1)?.kind === 'collectSink');
    return {
      status: 'FINISHED',
      durationMs: 1,
      collected: new Map([
        ['vertex-99', ['not this sink']],
        ...sinks.map((sink) => [sink.id, records(sink.id)] as [string, unknown[]]),
      ]),
    };
  };
}

describe('DataStream', () => {
  it("executeAndCollect() runs the declared sinks with a collect sink and returns that sink's records", async () => {
    const submitter = new FakeJobSubmitter(collecting((id) => [`records of ${id}`]));
    const env = new ExecutionEnvironment({ submitter, captureFunction: testCapturer, defaultParallelism: 2 });
    const numbers = env.generateSequence(1, 10);
    numbers.print();
    const records = await numbers.map((n) => `n=${n}`).executeAndCollect('collect job');

    const graph = submitter.onlyGraph;
    expect(graph.name).toBe('collect job');
    expect(graph.vertices.map((vertex) => `${vertex.id} ${vertex.name} (p=${vertex.parallelism})`)).toEqual([
      'vertex-1 Source: Sequence (p=2)',
      'vertex-2 Sink: Print (p=2)',
      'vertex-3 Map (p=2)',
      'vertex-4 Sink: Collect (p=1)',
    ]);
    expect(graph.edges.at(-1)).toEqual({
      sourceVertexId: 'vertex-3',
      targetVertexId: 'vertex-4',
      shipStrategy: 'rebalance',
    });
    expect(records).toEqual(['records of vertex-4']);
    await expect(env.execute()).rejects.toThrow(/no sinks defined/);
  });

  it('collect() is executeAndCollect() and a chained collect sink is known by its vertex id', async () => {
    const submitter = new FakeJobSubmitter(collecting((id) => [id, 42]));
    const env = new ExecutionEnvironment({ submitter, captureFunction: testCapturer });
    const records = await env.fromCollection([1]).collect();
    expect(submitter.onlyGraph.vertices.map((vertex) => vertex.name)).toEqual(['Source: Collection -> Sink: Collect']);
    expect(records).toEqual(['vertex-1', 42]);
  });

  it("executeAndCollect() of a failed job rejects with the user's message", async () => {
    const failed = (): CannedResult => ({
      status: 'FAILED',
      failure: { name: 'Error', message: 'bad record: 7', stack: 'Error: bad record: 7\n    at map (test.js:1)' },
      durationMs: 1,
      collected: new Map(),
    });
    const env = new ExecutionEnvironment({ submitter: new FakeJobSubmitter(failed), captureFunction: testCapturer });
    const collecting = env
      .fromCollection([7])
      .map((n) => n)
      .executeAndCollect('checked');
    await expect(collecting).rejects.toThrow(JobExecutionError);
    await expect(collecting).rejects.toThrow('job "checked" (job-1) failed: bad record: 7');
  });

  it('passes values given as { with } to the capturer as bound values', () => {
    const calls: Array<{ source: string; bound?: Record<string, unknown> }> = [];
    const capture: FunctionCapturer = (fn, options) => {
      calls.push({ source: String(fn), bound: options.bound });
      return testCapturer(fn, options);
    };
    const env = new ExecutionEnvironment({ submitter: new FakeJobSubmitter(), captureFunction: capture });
    env
      .fromCollection([1])
      .map((n) => n, { with: { factor: 3, label: 'x' } })
      .filter((n) => n > 0);
    expect(calls).toEqual([
      { source: '(n) => n', bound: { factor: 3, label: 'x' } },
      { source: '(n) => n > 0', bound: undefined },
    ]);
  });

  it('lets the capturer refuse a function at the call that passed it', () => {
    const refusing: FunctionCapturer = () => {
      throw new InvalidArgumentError('the function captures the local variable "threshold" (main.js:12)');
    };
    const env = new ExecutionEnvironment({ submitter: new FakeJobSubmitter(), captureFunction: refusing });
    const stream = env.fromCollection([1]);
    expect(() => stream.filter((n) => n > 1)).toThrow(
      'the function captures the local variable "threshold" (main.js:12)',
    );
  });

  it('refuses a non-function, naming the method', () => {
    const env = new ExecutionEnvironment({ submitter: new FakeJobSubmitter(), captureFunction: testCapturer });
    const stream = env.fromCollection([1]);
    expect(() => stream.map('x => x' as never)).toThrow(
      new InvalidArgumentError('DataStream.map() expects a function, got a string'),
    );
    expect(() => stream.flatMap(undefined as never)).toThrow('DataStream.flatMap() expects a function, got undefined');
    expect(() => stream.filter({} as never)).toThrow('DataStream.filter() expects a function, got an object');
    expect(() => stream.keyBy(null as never)).toThrow('DataStream.keyBy() expects a function, got null');
    expect(() => stream.keyBy((n) => n).reduce(1 as never)).toThrow(
      'KeyedStream.reduce() expects a function, got a number',
    );
  });

  it('refuses bad options, parallelism, names, fields and paths', () => {
    const env = new ExecutionEnvironment({ submitter: new FakeJobSubmitter(), captureFunction: testCapturer });
    const stream = env.generateSequence(1, 2);
    expect(() => stream.map((n) => n, { with: [1] as never })).toThrow(
      /DataStream.map\(\) expects "with" to be an object/,
    );
    expect(() => stream.map((n) => n, 'fast' as never)).toThrow(/DataStream.map\(\) expects its options as an object/);
    for (const bad of [0, -2, 2.5, Number.POSITIVE_INFINITY]) {
      expect(() => stream.setParallelism(bad)).toThrow(
        /DataStream.setParallelism\(\) expects a parallelism that is an integer of at least 1/,
      );
    }
    expect(() => stream.print().setParallelism(0)).toThrow(/DataStreamSink.setParallelism\(\)/);
    expect(() => stream.name('')).toThrow(/DataStream.name\(\) expects a name/);
    expect(() => stream.writeAsText('')).toThrow(/writeAsText\(\) expects a path/);
    expect(() => stream.writeAsText('/tmp/x', { overwrite: 'yes' as never })).toThrow(/"overwrite" to be a boolean/);
    expect(() => stream.print(3 as never)).toThrow(/print\(\) expects a prefix as a string/);
    const keyed = stream.keyBy((n) => n % 2);
    expect(() => keyed.sum(-1)).toThrow(/KeyedStream.sum\(\) expects a field as a tuple index/);
    expect(() => keyed.sum('')).toThrow(/KeyedStream.sum\(\) expects a field/);
  });

  it('refuses a parallelism above 1 for the collection source and a parallelism on a partitioning', () => {
    const env = new ExecutionEnvironment({ submitter: new FakeJobSubmitter(), captureFunction: testCapturer });
    const source = env.fromCollection([1]);
    expect(() => source.setParallelism(2)).toThrow(/"Source: Collection" is not a parallel operator/);
    expect(() => source.setParallelism(1)).not.toThrow();
    expect(() => source.rebalance().setParallelism(2)).toThrow(
      /setParallelism\(\) applies to an operator, but this stream comes from rebalance\(\)/,
    );
    expect(() => source.broadcast().name('b')).toThrow(/name\(\) applies to an operator/);
  });
});
