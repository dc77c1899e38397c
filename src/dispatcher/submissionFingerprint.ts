/**
 * A digest of a job submission, so that a retried SubmitJob with the same request id can be told
 * apart from a different submission that reuses the id by mistake.
 */
import { createHash } from 'node:crypto';
import type { LivingPriority } from '../common/status.js';
import type { JobGraph } from '../jobgraph/jobGraph.js';

/** The sha256 of the graph, priority and application, independent of object key order. */
export function submissionFingerprint(graph: JobGraph, livingPriority: LivingPriority, applicationId: string): string {
  return createHash('sha256').update(stableJson({ graph, livingPriority, applicationId })).digest('hex');
}

/** JSON with object keys sorted and undefined members left out, so equal values give equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : stableJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${stableJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
