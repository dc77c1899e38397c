import { describe, expect, it } from 'vitest';
import type { JobGraph } from './jobGraph.js';
import { jobGraphFingerprint } from './jobGraphFingerprint.js';

const graph = (parallelism: number, properties: Record<string, string>): JobGraph => ({
  name: 'squares',
  vertices: [{ id: 'v1', name: 'source', parallelism, operators: [] }],
  edges: [],
  defaultParallelism: 1,
  properties,
});

describe('jobGraphFingerprint', () => {
  it('is the same for the same graph built again, whatever the order of its keys', () => {
    expect(jobGraphFingerprint(graph(2, { a: '1', b: '2' }))).toBe(jobGraphFingerprint(graph(2, { b: '2', a: '1' })));
    expect(jobGraphFingerprint(graph(2, {}))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs when anything of the graph differs', () => {
    expect(jobGraphFingerprint(graph(2, {}))).not.toBe(jobGraphFingerprint(graph(3, {})));
    expect(jobGraphFingerprint(graph(2, {}))).not.toBe(jobGraphFingerprint(graph(2, { a: '1' })));
  });
});
