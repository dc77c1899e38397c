import { describe, expect, it } from 'vitest';
import type { JobGraph } from '../../jobgraph/jobGraph.js';
import { RuntimeExecutionMode, type ShipStrategy } from '../../../generated/flotilla/v1/job_graph.js';
import { jobGraphFromMessage, jobGraphToMessage } from './jobGraph.js';

const fn = (source: string) => ({ source, module: 'main.js', line: 3, boundValuesJson: '{}' });

const graph: JobGraph = {
  name: 'word count',
  defaultParallelism: 2,
  properties: { 'pipeline.name': 'wc' },
  bundle: { artifactId: 'a'.repeat(64) },
  restartStrategy: { kind: 'exponentialDelay', initialDelayMs: 10, maxDelayMs: 100, multiplier: 2, maxAttempts: 0 },
  vertices: [
    {
      id: 'vertex-1',
      name: 'Source: Collection -> Flat Map -> Map',
      parallelism: 1,
      operators: [
        { name: 'Source: Collection', kind: 'collectionSource', records: ['to be', 'or not'] },
        { name: 'Flat Map', kind: 'flatMap', fn: fn('(line) => line.split(" ")') },
        { name: 'Map', kind: 'map', fn: fn('(word) => [word, 1]') },
      ],
    },
    {
      id: 'vertex-2',
      name: 'Keyed Aggregation -> Sink: Collect',
      parallelism: 2,
      operators: [
        { name: 'Keyed Aggregation', kind: 'sum', field: '1' },
        { name: 'Sink: Collect', kind: 'collectSink' },
      ],
      resources: { cpus: 0.5, heapMemoryMb: 128, directMemoryMb: 0, nativeMemoryMb: 0 },
    },
  ],
  edges: [
    {
      sourceVertexId: 'vertex-1',
      targetVertexId: 'vertex-2',
      shipStrategy: 'hash',
      keySelector: fn('(pair) => pair[0]'),
      preAggregate: true,
    },
  ],
  runtimeMode: 'BATCH',
};

describe('job graph conversion', () => {
  it('round-trips every part of a graph', () => {
    expect(jobGraphFromMessage(jobGraphToMessage(graph))).toEqual({ ...graph, edges: [{ ...graph.edges[0] }] });
  });

  it('round-trips the unbounded sources and operator uids', () => {
    const streaming: JobGraph = {
      ...graph,
      vertices: [
        {
          id: 'vertex-1',
          name: 'sources',
          parallelism: 1,
          operators: [
            {
              name: 'Source: JetStream',
              kind: 'jetStreamSource',
              servers: ['nats://127.0.0.1:4222'],
              stream: 'S',
              subject: 'a',
              startSequence: 5,
              uid: 'js',
            },
          ],
        },
        {
          id: 'vertex-2',
          name: 'generator',
          parallelism: 1,
          operators: [
            { name: 'Source: Generator', kind: 'generatorSource', fn: fn('(i) => i'), recordsPerSecond: 2.5 },
          ],
        },
        {
          id: 'vertex-3',
          name: 'folder',
          parallelism: 1,
          operators: [{ name: 'Source: Text File', kind: 'textFileSource', path: '/in', monitorIntervalMs: 100 }],
        },
      ],
      edges: [],
    };
    expect(jobGraphFromMessage(jobGraphToMessage(streaming))).toEqual(streaming);
  });

  it('reads a graph without a runtime mode (from before modes existed) as STREAMING', () => {
    const message = jobGraphToMessage({
      ...graph,
      runtimeMode: undefined,
      edges: [{ ...graph.edges[0], preAggregate: undefined }],
    });
    expect(jobGraphToMessage({ ...graph, runtimeMode: undefined }).runtimeMode).toBe(RuntimeExecutionMode.STREAMING);
    expect(jobGraphFromMessage({ ...message, runtimeMode: RuntimeExecutionMode.UNSPECIFIED }).runtimeMode).toBe(
      'STREAMING',
    );
    expect(() => jobGraphFromMessage({ ...message, runtimeMode: 7 as RuntimeExecutionMode })).toThrow(
      'job_graph: runtime_mode must be STREAMING or BATCH (AUTOMATIC is resolved when the graph is built)',
    );
  });

  it('refuses a pre-aggregation outside a BATCH job or on an edge that does not lead into a keyed aggregation', () => {
    const streaming = { ...jobGraphToMessage(graph), runtimeMode: RuntimeExecutionMode.STREAMING };
    expect(() => jobGraphFromMessage(streaming)).toThrow(
      'edge 0 (vertex-1 -> vertex-2): pre_aggregate needs a BATCH job and a HASH edge into a keyed reduce, sum or count',
    );
    const intoSink = jobGraphToMessage(graph);
    intoSink.vertices[1].operators.shift();
    expect(() => jobGraphFromMessage(intoSink)).toThrow('pre_aggregate needs a BATCH job and a HASH edge');
  });

  it('refuses graphs that cannot run, naming the vertex or edge', () => {
    const message = () => jobGraphToMessage(graph);
    expect(() => jobGraphFromMessage(undefined)).toThrow('job_graph is required');
    expect(() => jobGraphFromMessage({ ...message(), vertices: [] })).toThrow('job_graph has no vertices');
    const zero = message();
    zero.vertices[1].parallelism = 0;
    expect(() => jobGraphFromMessage(zero)).toThrow('vertex 1 ("vertex-2"): parallelism must be 1 to 1024');
    const twice = message();
    twice.vertices[1].id = 'vertex-1';
    expect(() => jobGraphFromMessage(twice)).toThrow('the id is used twice');
    const dangling = message();
    dangling.edges[0].targetVertexId = 'vertex-9';
    expect(() => jobGraphFromMessage(dangling)).toThrow(
      'edge 0 (vertex-1 -> vertex-9): it names a vertex that does not exist',
    );
    const forward = message();
    forward.edges[0].shipStrategy = 1;
    expect(() => jobGraphFromMessage(forward)).toThrow('a FORWARD edge needs equal parallelism');
    const keyless = message();
    keyless.edges[0].keySelector = undefined;
    expect(() => jobGraphFromMessage(keyless)).toThrow('key_selector: a function (source) is required');
    const unknownStrategy = message();
    unknownStrategy.edges[0].shipStrategy = 99 as ShipStrategy;
    expect(() => jobGraphFromMessage(unknownStrategy)).toThrow(
      'ship_strategy must be FORWARD, HASH, REBALANCE or BROADCAST',
    );
    const backwards = message();
    backwards.edges[0] = {
      ...backwards.edges[0],
      preAggregate: false,
      sourceVertexId: 'vertex-2',
      targetVertexId: 'vertex-1',
    };
    expect(() => jobGraphFromMessage(backwards)).toThrow('topological order');
    const empty = message();
    empty.vertices[0].operators[0].operator = undefined;
    expect(() => jobGraphFromMessage(empty)).toThrow('vertex 0 ("vertex-1") operator 0: the operator is not set');
  });
});
