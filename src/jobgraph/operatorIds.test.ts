import { describe, expect, it } from 'vitest';
import type { JobGraph, OperatorSpec } from './jobGraph.js';
import { withOperatorIds } from './operatorIds.js';

const fn = { source: '(x) => x', module: 'main.mjs', line: 1, boundValuesJson: '{}' };
const source: OperatorSpec = { kind: 'sequenceSource', name: 'Source', from: 1, to: 10 };
const map: OperatorSpec = { kind: 'map', name: 'Map', fn };
const count: OperatorSpec = { kind: 'count', name: 'Count' };
const sink: OperatorSpec = { kind: 'printSink', name: 'Sink', prefix: '' };

function graph(...chains: OperatorSpec[][]): JobGraph {
  return {
    name: 'ids',
    vertices: chains.map((operators, index) => ({ id: `v${index}`, name: `v${index}`, parallelism: 1, operators })),
    edges: chains.slice(1).map((_, index) => ({
      sourceVertexId: `v${index}`,
      targetVertexId: `v${index + 1}`,
      shipStrategy: 'hash' as const,
    })),
    defaultParallelism: 1,
    properties: {},
  };
}

const idsOf = (job: JobGraph) => job.vertices.map((vertex) => vertex.operators.map((operator) => operator.uid));

describe('withOperatorIds', () => {
  it('keeps user uids and generates kind-numbered ids that a stateless operator of another kind does not shift', () => {
    const before = withOperatorIds(graph([source], [{ ...count, uid: 'counts' }, sink]));
    expect(idsOf(before)).toEqual([['auto:sequenceSource-1'], ['counts', 'auto:printSink-1']]);
    const withMap = withOperatorIds(graph([source, map], [count, map, sink]));
    expect(idsOf(withMap)).toEqual([
      ['auto:sequenceSource-1', 'auto:map-1'],
      ['auto:count-1', 'auto:map-2', 'auto:printSink-1'],
    ]);
    expect(idsOf(withOperatorIds(graph([source], [count, sink])))[1][0]).toBe('auto:count-1');
  });

  it('refuses two operators with one uid, and user uids in the generated ids’ namespace', () => {
    expect(() => withOperatorIds(graph([{ ...source, uid: 'x' }], [{ ...count, uid: 'x' }]))).toThrow(
      /operators "Source" and "Count" of job "ids" have the same uid "x"/,
    );
    expect(() => withOperatorIds(graph([{ ...source, uid: 'auto:mine' }]))).toThrow(/kept for generated ids/);
  });
});
