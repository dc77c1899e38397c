/**
 * The fingerprint of a job graph: what a driver attempt's submission is matched by against the
 * same submission of an earlier attempt (replay). A sha256 of the graph's canonical JSON (keys
 * sorted, absent members left out), so two attempts that build the same pipeline with the same
 * functions and settings agree, and any difference (a vertex, a parallelism, a function's source,
 * a captured value) tells them apart. A job graph holds no job id or time, so nothing of the
 * submission's identity enters it.
 */
import { requestFingerprint } from '../common/requestFingerprint.js';
import type { JobGraph } from './jobGraph.js';

/** The lowercase hex sha256 of `graph`'s canonical JSON. */
export function jobGraphFingerprint(graph: JobGraph): string {
  return requestFingerprint(graph);
}
