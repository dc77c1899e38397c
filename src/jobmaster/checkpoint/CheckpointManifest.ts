/**
 * The manifest of a checkpoint or savepoint folder (`_metadata`, JSON) and how a folder is written:
 * each subtask's snapshot in a file of its own, the manifest last, all into `<folder>.inprogress`
 * renamed to `<folder>` when whole, so a folder with a manifest is always complete. The manifest
 * files the state by operator: each vertex lists the ids of its operators (their uids, see
 * jobgraph/operatorIds.ts) and its parallelism, so a savepoint restores into a graph whose vertices
 * differ (another chaining, another parallelism).
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobGraph } from '../../jobgraph/jobGraph.js';
import type { CompletedCheckpoint } from './CompletedCheckpoint.js';

/** The name of a checkpoint's manifest file. */
export const MANIFEST_FILE = '_metadata';

/** A vertex as the manifest records it. */
export interface ManifestVertex {
  vertexId: string;
  parallelism: number;
  /** Its operators' ids (uids), in chain order. */
  operatorIds: string[];
  /** Whether its first operator is a source, whose position is the snapshot's `source`. */
  startsWithSource: boolean;
}

/** The manifest of one checkpoint or savepoint (`_metadata`). */
export interface CheckpointManifest {
  /** What the folder holds; manifests written before savepoints existed have none (a checkpoint). */
  kind?: 'checkpoint' | 'savepoint';
  jobId: string;
  jobName?: string;
  checkpointId: number;
  timestamp: number;
  completedAt: number;
  /** The graph's vertices with their operators' ids; absent in manifests written before savepoints existed. */
  vertices?: ManifestVertex[];
  /** One entry per subtask state file. */
  states: Array<{ vertexId: string; subtaskIndex: number; file: string; bytes: number }>;
}

/** The vertices of `graph` (whose operators have their ids) as the manifest records them. */
export function manifestVerticesOf(graph: JobGraph): ManifestVertex[] {
  return graph.vertices.map((vertex) => ({
    vertexId: vertex.id,
    parallelism: vertex.parallelism,
    operatorIds: vertex.operators.map((operator, index) => operator.uid ?? `#${index}`),
    startsWithSource: !graph.edges.some((edge) => edge.targetVertexId === vertex.id),
  }));
}

/** What the manifest says beside the states. */
export interface ManifestHeader {
  jobName: string;
  vertices: ManifestVertex[];
}

/** Writes `checkpoint` into `folder` atomically (through `<folder>.inprogress`). */
export async function writeCheckpointFolder(
  folder: string,
  checkpoint: CompletedCheckpoint,
  header: ManifestHeader,
): Promise<void> {
  const temporary = `${folder}.inprogress`;
  await rm(temporary, { recursive: true, force: true });
  await mkdir(temporary, { recursive: true });
  const manifest: CheckpointManifest = {
    kind: checkpoint.savepoint ? 'savepoint' : 'checkpoint',
    jobId: checkpoint.jobId,
    jobName: header.jobName,
    checkpointId: checkpoint.checkpointId,
    timestamp: checkpoint.timestamp,
    completedAt: checkpoint.completedAt,
    vertices: header.vertices,
    states: [],
  };
  for (const [key, state] of checkpoint.states) {
    const slash = key.lastIndexOf('/');
    const vertexId = key.slice(0, slash);
    const subtaskIndex = Number(key.slice(slash + 1));
    const file = `${vertexId}-${subtaskIndex}.state`;
    await writeFile(join(temporary, file), state);
    manifest.states.push({ vertexId, subtaskIndex, file, bytes: state.byteLength });
  }
  await writeFile(join(temporary, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(temporary, folder);
}
