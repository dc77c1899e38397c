import { describe, expect, it } from 'vitest';
import type { JobGraph } from '../jobgraph/jobGraph.js';
import { RuntimeExecutionMode } from '../jobgraph/RuntimeExecutionMode.js';
import { ExecutionEnvironment } from './ExecutionEnvironment.js';
import { FakeJobSubmitter } from './testing/FakeJobSubmitter.js';
import { testCapturer } from './testing/testCapturer.js';

function setUp(defaultParallelism?: number) {
  const submitter = new FakeJobSubmitter();
  const env = new ExecutionEnvironment({ submitter, captureFunction: testCapturer, defaultParallelism });
  return { env, submitter };
}

/** The graph reduced to what chaining decides: vertex names, parallelism, and edges by vertex name. */
function shapeOf(graph: JobGraph) {
  const nameOf = (id: string) => graph.vertices.find((vertex) => vertex.id === id)?.name;
  return {
    vertices: graph.vertices.map((vertex) => `${vertex.id} ${vertex.name} (p=${vertex.parallelism})`),
    edges: graph.edges.map(
      (edge) => `${nameOf(edge.sourceVertexId)} =${edge.shipStrategy}=> ${nameOf(edge.targetVertexId)}`,
    ),
  };
}

describe('buildJobGraph', () => {
  it('translates word count into a chained source vertex and a keyed aggregation vertex joined by a hash edge', async () => {
    const { env, submitter } = setUp();
    env.setRuntimeMode('STREAMING');
    const lines = ['to be or not to be', 'that is the question'];
    const split = (line: string) => line.split(' ');
    const pair = (word: string): [string, number] => [word, 1];
    const key = (p: [string, number]) => p[0];
    env.fromCollection(lines).flatMap(split).map(pair).keyBy(key).sum(1).print();
    await env.execute('word count');

    expect(submitter.onlyGraph).toEqual({
      name: 'word count',
      defaultParallelism: 1,
      properties: {},
      runtimeMode: 'STREAMING',
      vertices: [
        {
          id: 'vertex-1',
          name: 'Source: Collection -> Flat Map -> Map',
          parallelism: 1,
          operators: [
            { kind: 'collectionSource', name: 'Source: Collection', records: lines },
            {
              kind: 'flatMap',
              name: 'Flat Map',
              fn: { source: String(split), module: 'test.js', line: 1, boundValuesJson: '{}' },
            },
            {
              kind: 'map',
              name: 'Map',
              fn: { source: String(pair), module: 'test.js', line: 1, boundValuesJson: '{}' },
            },
          ],
        },
        {
          id: 'vertex-2',
          name: 'Keyed Aggregation -> Sink: Print',
          parallelism: 1,
          operators: [
            { kind: 'sum', name: 'Keyed Aggregation', field: '1' },
            { kind: 'printSink', name: 'Sink: Print', prefix: '' },
          ],
        },
      ],
      edges: [
        {
          sourceVertexId: 'vertex-1',
          targetVertexId: 'vertex-2',
          shipStrategy: 'hash',
          keySelector: { source: String(key), module: 'test.js', line: 1, boundValuesJson: '{}' },
        },
      ],
    });
  });

  it('breaks the chain with a rebalance edge where the parallelism changes', async () => {
    const { env, submitter } = setUp();
    env
      .fromCollection([1, 2, 3])
      .map((x) => x * 2)
      .setParallelism(3)
      .filter((x) => x > 2)
      .setParallelism(3)
      .print();
    await env.execute();

    expect(shapeOf(submitter.onlyGraph)).toEqual({
      vertices: ['vertex-1 Source: Collection (p=1)', 'vertex-2 Map -> Filter (p=3)', 'vertex-3 Sink: Print (p=1)'],
      edges: ['Source: Collection =rebalance=> Map -> Filter', 'Map -> Filter =rebalance=> Sink: Print'],
    });
  });

  it('gives operators without a parallelism the environment default, and the collection source 1', async () => {
    const { env, submitter } = setUp(4);
    env
      .fromCollection(['a'])
      .map((x) => x)
      .print();
    env
      .generateSequence(1, 10)
      .filter((n) => n % 2 === 0)
      .writeAsText('/tmp/even', { overwrite: true });
    env.readTextFile('/data/in.txt').print('lines').setParallelism(2);
    await env.execute();

    const graph = submitter.onlyGraph;
    expect(graph.defaultParallelism).toBe(4);
    expect(shapeOf(graph)).toEqual({
      vertices: [
        'vertex-1 Source: Collection (p=1)',
        'vertex-2 Source: Sequence -> Filter -> Sink: Text File (p=4)',
        'vertex-3 Source: Text File (p=4)',
        'vertex-4 Map -> Sink: Print (p=4)',
        'vertex-5 Sink: Print (p=2)',
      ],
      edges: ['Source: Collection =rebalance=> Map -> Sink: Print', 'Source: Text File =rebalance=> Sink: Print'],
    });
    expect(graph.vertices[1].operators).toEqual([
      { kind: 'sequenceSource', name: 'Source: Sequence', from: 1, to: 10 },
      expect.objectContaining({ kind: 'filter' }),
      { kind: 'textFileSink', name: 'Sink: Text File', path: '/tmp/even', overwrite: true },
    ]);
    expect(graph.vertices[2].operators).toEqual([
      { kind: 'textFileSource', name: 'Source: Text File', path: '/data/in.txt' },
    ]);
    expect(graph.vertices[4].operators).toEqual([{ kind: 'printSink', name: 'Sink: Print', prefix: 'lines' }]);
  });

  it('uses the environment parallelism in force at execute(), not when the stream was made', async () => {
    const { env, submitter } = setUp();
    env.generateSequence(0, 99).print();
    env.setParallelism(6);
    await env.execute();
    expect(shapeOf(submitter.onlyGraph).vertices).toEqual(['vertex-1 Source: Sequence -> Sink: Print (p=6)']);
  });

  it('breaks the chain at keyBy even at equal parallelism and carries the key selector with its bound values', async () => {
    const { env, submitter } = setUp(2);
    const byRegion = (order: { region: string }) => order.region;
    env
      .generateSequence(1, 4)
      .map((n) => ({ region: `r${n % 2}`, amount: n }))
      .keyBy(byRegion, { with: { length: 2 } })
      .sum('amount')
      .map((order) => order.amount)
      .print();
    await env.execute();

    const graph = submitter.onlyGraph;
    expect(shapeOf(graph)).toEqual({
      vertices: ['vertex-1 Source: Sequence -> Map (p=2)', 'vertex-2 Keyed Aggregation -> Map -> Sink: Print (p=2)'],
      edges: ['Source: Sequence -> Map =hash=> Keyed Aggregation -> Map -> Sink: Print'],
    });
    expect(graph.edges[0].keySelector).toEqual({
      source: String(byRegion),
      module: 'test.js',
      line: 1,
      boundValuesJson: '{"length":2}',
    });
    expect(graph.vertices[1].operators[0]).toEqual({ kind: 'sum', name: 'Keyed Aggregation', field: 'amount' });
  });

  it('names reduce "Keyed Reduce" and count "Keyed Aggregation"', async () => {
    const { env, submitter } = setUp();
    const words = env.fromCollection(['a', 'b', 'a']);
    words
      .keyBy((w) => w)
      .reduce((a, b) => a + b)
      .print();
    words
      .keyBy((w) => w)
      .count()
      .print();
    await env.execute();

    const graph = submitter.onlyGraph;
    expect(shapeOf(graph).vertices).toEqual([
      'vertex-1 Source: Collection (p=1)',
      'vertex-2 Keyed Reduce -> Sink: Print (p=1)',
      'vertex-3 Keyed Aggregation -> Sink: Print (p=1)',
    ]);
    expect(graph.vertices[1].operators[0]).toMatchObject({ kind: 'reduce', fn: { source: '(a, b) => a + b' } });
    expect(graph.vertices[2].operators[0]).toEqual({ kind: 'count', name: 'Keyed Aggregation' });
    expect(graph.edges.map((edge) => edge.keySelector?.source)).toEqual(['(w) => w', '(w) => w']);
  });

  it('gives each consumer of a shared stream its own vertex and forward edge', async () => {
    const { env, submitter } = setUp();
    const doubled = env.fromCollection([1, 2]).map((x) => x * 2);
    doubled.print();
    doubled.filter((x) => x > 2).writeAsText('/tmp/out');
    await env.execute();

    expect(shapeOf(submitter.onlyGraph)).toEqual({
      vertices: [
        'vertex-1 Source: Collection -> Map (p=1)',
        'vertex-2 Sink: Print (p=1)',
        'vertex-3 Filter -> Sink: Text File (p=1)',
      ],
      edges: [
        'Source: Collection -> Map =forward=> Sink: Print',
        'Source: Collection -> Map =forward=> Filter -> Sink: Text File',
      ],
    });
  });

  it('turns rebalance() and broadcast() into edges of that kind, the later partitioning winning', async () => {
    const { env, submitter } = setUp(2);
    const numbers = env.generateSequence(1, 8);
    numbers
      .rebalance()
      .map((x) => x + 1)
      .print();
    numbers.rebalance().broadcast().print();
    await env.execute();

    expect(shapeOf(submitter.onlyGraph)).toEqual({
      vertices: ['vertex-1 Source: Sequence (p=2)', 'vertex-2 Map -> Sink: Print (p=2)', 'vertex-3 Sink: Print (p=2)'],
      edges: ['Source: Sequence =rebalance=> Map -> Sink: Print', 'Source: Sequence =broadcast=> Sink: Print'],
    });
  });

  it('lists every source vertex first, leaves out branches without a sink, and uses names set by the user', async () => {
    const { env, submitter } = setUp();
    const first = env
      .fromCollection([1])
      .name('Numbers')
      .map((x) => x + 1)
      .name('Increment');
    first.filter((x) => x > 0); // no sink: not part of the job
    const second = env.fromCollection(['x']);
    first.print().name('Console');
    second.print();
    await env.execute();

    expect(shapeOf(submitter.onlyGraph)).toEqual({
      vertices: ['vertex-1 Numbers -> Increment -> Console (p=1)', 'vertex-2 Source: Collection -> Sink: Print (p=1)'],
      edges: [],
    });
    expect(submitter.onlyGraph.vertices[0].operators.map((operator) => operator.kind)).toEqual([
      'collectionSource',
      'map',
      'printSink',
    ]);
  });

  it('orders a source created late before the operators of earlier sources', async () => {
    const { env, submitter } = setUp();
    const first = env
      .fromCollection([1])
      .map((x) => x)
      .setParallelism(2);
    const second = env.fromCollection([2]);
    first.print();
    second.print();
    await env.execute();

    expect(shapeOf(submitter.onlyGraph)).toEqual({
      vertices: [
        'vertex-1 Source: Collection (p=1)',
        'vertex-2 Source: Collection -> Sink: Print (p=1)',
        'vertex-3 Map (p=2)',
        'vertex-4 Sink: Print (p=1)',
      ],
      edges: ['Source: Collection =rebalance=> Map', 'Map =rebalance=> Sink: Print'],
    });
    expect(submitter.onlyGraph.edges.map((edge) => [edge.sourceVertexId, edge.targetVertexId])).toEqual([
      ['vertex-1', 'vertex-3'],
      ['vertex-3', 'vertex-4'],
    ]);
  });
});

describe('runtime modes', () => {
  /** Word count over a collection, keyed by word: the edge into the sum is the one a combiner may sit on. */
  function wordCount(env: ExecutionEnvironment) {
    env
      .fromCollection(['a b', 'b'])
      .flatMap((line) => line.split(' '))
      .map((word): [string, number] => [word, 1])
      .keyBy((pair) => pair[0])
      .sum(1)
      .print();
  }

  it('runs bounded jobs in BATCH by default (AUTOMATIC), with a pre-aggregated edge into the keyed aggregation', async () => {
    const { env, submitter } = setUp();
    expect(env.getRuntimeMode()).toBe('AUTOMATIC');
    wordCount(env);
    await env.execute();
    expect(submitter.onlyGraph.runtimeMode).toBe('BATCH');
    expect(submitter.onlyGraph.edges).toEqual([expect.objectContaining({ shipStrategy: 'hash', preAggregate: true })]);
  });

  it('keeps STREAMING exactly as before when asked for: no pre-aggregation', async () => {
    const { env, submitter } = setUp();
    env.setRuntimeMode('STREAMING');
    wordCount(env);
    await env.execute();
    expect(submitter.onlyGraph.runtimeMode).toBe('STREAMING');
    expect(submitter.onlyGraph.edges[0]).not.toHaveProperty('preAggregate');
  });

  it('pre-aggregates only hash edges into keyed aggregations, not rebalance or forward edges', async () => {
    const { env, submitter } = setUp(2);
    env.setRuntimeMode('batch');
    env
      .generateSequence(1, 10)
      .rebalance()
      .map((n) => n)
      .keyBy((n) => n % 3)
      .reduce((a, b) => a + b)
      .print();
    await env.execute();
    expect(shapeOf(submitter.onlyGraph).edges).toEqual([
      'Source: Sequence =rebalance=> Map',
      'Map =hash=> Keyed Reduce -> Sink: Print',
    ]);
    expect(submitter.onlyGraph.edges.map((edge) => edge.preAggregate ?? false)).toEqual([false, true]);
  });

  it('reads the mode from the execution.runtime-mode property, setRuntimeMode() winning over it', async () => {
    const submitter = new FakeJobSubmitter();
    const env = new ExecutionEnvironment({
      submitter,
      captureFunction: testCapturer,
      properties: { 'execution.runtime-mode': 'Streaming' },
    });
    expect(env.getRuntimeMode()).toBe('STREAMING');
    wordCount(env);
    await env.execute('from the property');
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    wordCount(env);
    await env.execute('set in code');
    expect(submitter.submitted.map((graph) => graph.runtimeMode)).toEqual(['STREAMING', 'BATCH']);
  });

  it('turns the pre-aggregation off with execution.batch.pre-aggregation=false, keeping BATCH', async () => {
    const submitter = new FakeJobSubmitter();
    const env = new ExecutionEnvironment({
      submitter,
      captureFunction: testCapturer,
      properties: { 'execution.batch.pre-aggregation': 'false' },
    });
    wordCount(env);
    await env.execute();
    expect(submitter.onlyGraph.runtimeMode).toBe('BATCH');
    expect(submitter.onlyGraph.edges[0]).not.toHaveProperty('preAggregate');
  });

  it('refuses modes and switches it does not know, naming where they came from', () => {
    const { env } = setUp();
    expect(() => env.setRuntimeMode('FAST' as never)).toThrow(
      /setRuntimeMode\(\) expects a runtime mode of STREAMING, BATCH or AUTOMATIC, got "FAST"/,
    );
    const submitter = new FakeJobSubmitter();
    expect(
      () =>
        new ExecutionEnvironment({
          submitter,
          captureFunction: testCapturer,
          properties: { 'execution.runtime-mode': 'bounded' },
        }),
    ).toThrow(
      /the property execution.runtime-mode expects a runtime mode of STREAMING, BATCH or AUTOMATIC, got "bounded"/,
    );
    expect(
      () => new ExecutionEnvironment({ submitter, captureFunction: testCapturer, runtimeMode: 7 as never }),
    ).toThrow(/option runtimeMode .* got a number/);
    expect(
      () =>
        new ExecutionEnvironment({
          submitter,
          captureFunction: testCapturer,
          properties: { 'execution.batch.pre-aggregation': 'yes' },
        }),
    ).toThrow(/execution.batch.pre-aggregation expects true or false, got "yes"/);
  });
});
