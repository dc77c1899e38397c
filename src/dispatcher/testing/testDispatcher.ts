/** Job graphs and a Dispatcher on a {@link FakeCluster}, for the Dispatcher's tests. */
import { pino } from 'pino';
import type { JobGraph, RestartStrategy } from '../../jobgraph/jobGraph.js';
import { Dispatcher } from '../Dispatcher.js';
import type { DispatcherOptions } from '../DispatcherOptions.js';
import { FakeCluster, type FakeClusterOptions } from './FakeCluster.js';

const identity = { source: 'x => x', module: 'main.js', line: 1, boundValuesJson: '{}' };

/** The vertex ids of {@link collectGraph}. */
export const SOURCE = 'source';
export const SINK = 'sink';
export const SIDE_SINK = 'side-sink';

/**
 * A source of parallelism `parallelism` feeding a "Map -> Sink: collect" vertex of the same
 * parallelism and, with `sideSink`, a second collect() vertex of parallelism 1.
 */
export function collectGraph(
  name: string,
  {
    parallelism = 2,
    restartStrategy,
    sideSink = false,
  }: { parallelism?: number; restartStrategy?: RestartStrategy; sideSink?: boolean } = {},
): JobGraph {
  const graph: JobGraph = {
    name,
    defaultParallelism: parallelism,
    properties: {},
    restartStrategy: restartStrategy ?? { kind: 'fixedDelay', maxAttempts: 2, delayMs: 1 },
    vertices: [
      {
        id: SOURCE,
        name: 'Source: Collection',
        parallelism,
        operators: [{ name: 'Source: Collection', kind: 'collectionSource', records: [1, 2, 3] }],
      },
      {
        id: SINK,
        name: 'Map -> Sink: collect',
        parallelism,
        operators: [
          { name: 'Map', kind: 'map', fn: identity },
          { name: 'Sink: collect', kind: 'collectSink' },
        ],
      },
    ],
    edges: [{ sourceVertexId: SOURCE, targetVertexId: SINK, shipStrategy: 'rebalance' }],
  };
  if (sideSink) {
    graph.vertices.push({
      id: SIDE_SINK,
      name: 'Sink: side collect',
      parallelism: 1,
      operators: [{ name: 'Sink: collect', kind: 'collectSink' }],
    });
    graph.edges.push({ sourceVertexId: SOURCE, targetVertexId: SIDE_SINK, shipStrategy: 'rebalance' });
  }
  return graph;
}

/** The driver job graph of an application, as the control plane submits it (its task runs `main()`). */
export function driverGraph(applicationId: string, applicationName = 'etl'): JobGraph {
  const resources = { cpus: 1, heapMemoryMb: 64, directMemoryMb: 0, nativeMemoryMb: 0 };
  return {
    name: `${applicationName}: driver`,
    vertices: [
      {
        id: 'driver',
        name: 'Driver',
        parallelism: 1,
        operators: [
          {
            kind: 'driver',
            name: 'Driver',
            applicationId,
            applicationName,
            entry: 'main.js#main',
            args: [],
            resources,
            defaultParallelism: 1,
            properties: {},
          },
        ],
        resources,
      },
    ],
    edges: [],
    bundle: { artifactId: 'sha256:0000000000000000000000000000000000000000000000000000000000000000' },
    restartStrategy: { kind: 'none' },
    defaultParallelism: 1,
    properties: {},
  };
}

/** A Dispatcher on a new fake cluster; `shutDowns` records what onShutDown was called with. */
export function testDispatcher(overrides: Partial<DispatcherOptions> = {}, clusterOptions: FakeClusterOptions = {}) {
  const cluster = new FakeCluster(clusterOptions);
  const shutDowns: string[] = [];
  const dispatcher = new Dispatcher({
    clusterId: 'cluster-test',
    jobmanagerAddress: () => 'jm:1',
    resources: cluster,
    logger: pino({ level: 'silent' }),
    onShutDown: (reason) => void shutDowns.push(reason),
    cancellationTimeoutMs: 1000,
    ...overrides,
  });
  cluster.dispatcher = dispatcher;
  return { dispatcher, cluster, shutDowns };
}

/** Every item of an async iterable. */
export async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
