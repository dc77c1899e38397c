import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../common/testing/tempDir.js';
import type { JobGraph, OperatorSpec } from '../../jobgraph/jobGraph.js';
import { withOperatorIds } from '../../jobgraph/operatorIds.js';
import { selectChannel } from '../../runtime/partitioning/selectChannel.js';
import type { TaskStateSnapshot } from '../../runtime/TaskStateSnapshot.js';
import { manifestVerticesOf, writeCheckpointFolder } from './CheckpointManifest.js';
import { subtaskStateKey } from './CompletedCheckpoint.js';
import { loadSavepoint } from './SavepointRestore.js';

const fn = { source: '(x) => x', module: 'main.mjs', line: 1, boundValuesJson: '{}' };
const source: OperatorSpec = { kind: 'generatorSource', name: 'Source', fn, uid: 'numbers' };
const map: OperatorSpec = { kind: 'map', name: 'Map', fn };
const counts: OperatorSpec = { kind: 'count', name: 'Count', uid: 'counts' };
const sink: OperatorSpec = { kind: 'textFileSink', name: 'Sink', path: '/out', overwrite: false, uid: 'sink' };

/** A source vertex and a keyed vertex, at `parallelism` each. */
function graph(keyed: OperatorSpec[], parallelism = 2, sourceChain: OperatorSpec[] = [source]): JobGraph {
  return withOperatorIds({
    name: 'counting',
    vertices: [
      { id: 'src', name: 'src', parallelism, operators: sourceChain },
      { id: 'keyed', name: 'keyed', parallelism, operators: keyed },
    ],
    edges: [{ sourceVertexId: 'src', targetVertexId: 'keyed', shipStrategy: 'hash' }],
    defaultParallelism: parallelism,
    properties: {},
  });
}

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];

/** Writes a savepoint of `job` (parallelism 2): source positions 10 and 11, each key's count in the subtask its hash picks. */
async function savepointOf(job: JobGraph, folder: string): Promise<void> {
  const states = new Map<string, Uint8Array>();
  const snapshot = (value: TaskStateSnapshot) => new Uint8Array(serialize(value));
  for (const index of [0, 1]) {
    states.set(subtaskStateKey('src', index), snapshot({ checkpointId: 7, source: 10 + index, operators: {} }));
    const entries = KEYS.filter((key) => selectChannel(key, 2) === index).map((key) => ({
      key,
      accumulator: key.charCodeAt(0),
    }));
    states.set(
      subtaskStateKey('keyed', index),
      snapshot({ checkpointId: 7, operators: { counts: entries, sink: { pending: [7] } } }),
    );
  }
  await writeCheckpointFolder(
    folder,
    { jobId: 'job-old', checkpointId: 7, timestamp: 1, completedAt: 2, states, savepoint: true },
    { jobName: job.name, vertices: manifestVerticesOf(job) },
  );
}

const stateOf = (states: Map<string, Uint8Array>, vertexId: string, index: number) =>
  deserialize(states.get(subtaskStateKey(vertexId, index))!) as TaskStateSnapshot;

describe('loadSavepoint', () => {
  it('restores every operator by uid into a graph that chains a new stateless map, with the same parallelism', async () => {
    const folder = join(tempDir(), 'savepoint-1');
    await savepointOf(graph([counts, sink]), folder);
    const restored = await loadSavepoint(
      { path: folder, allowNonRestoredState: false },
      graph([counts, map, sink], 2, [source, map]),
    );
    expect(restored.skipped).toEqual([]);
    expect(restored.checkpoint).toMatchObject({ checkpointId: 7, savepoint: true, externalPath: folder });
    expect(stateOf(restored.checkpoint.states, 'src', 1)).toEqual({ checkpointId: 7, source: 11, operators: {} });
    const keyed = stateOf(restored.checkpoint.states, 'keyed', 0);
    expect(keyed.operators.sink).toEqual({ pending: [7] });
    expect((keyed.operators.counts as Array<{ key: string }>).map((entry) => entry.key)).toEqual(
      KEYS.filter((key) => selectChannel(key, 2) === 0),
    );
  });

  it('redistributes keyed state by key over a new parallelism, and refuses a source’s positions there', async () => {
    const folder = join(tempDir(), 'savepoint-2');
    await savepointOf(graph([counts, sink]), folder);
    const wider: JobGraph = graph([counts, sink], 2);
    wider.vertices[1].parallelism = 3;
    const restored = await loadSavepoint({ path: folder, allowNonRestoredState: false }, wider);
    for (const index of [0, 1, 2]) {
      const entries = stateOf(restored.checkpoint.states, 'keyed', index).operators.counts as Array<{ key: string }>;
      expect(entries.map((entry) => entry.key).sort()).toEqual(KEYS.filter((key) => selectChannel(key, 3) === index));
    }
    await expect(
      loadSavepoint({ path: folder, allowNonRestoredState: false }, graph([counts, sink], 3)),
    ).rejects.toThrow(
      /operator "numbers" ran with parallelism 2 when the savepoint was taken and has 3 now; a source's positions/,
    );
  });

  it('refuses state that maps to no operator, naming the uids, unless allowed; then it is skipped', async () => {
    const folder = join(tempDir(), 'savepoint-3');
    await savepointOf(graph([counts, sink]), folder);
    const withoutCounts = graph([map, sink]);
    await expect(loadSavepoint({ path: folder, allowNonRestoredState: false }, withoutCounts)).rejects.toThrow(
      `the savepoint ${folder} holds state of an operator that job "counting" does not have: counts;`,
    );
    const restored = await loadSavepoint({ path: folder, allowNonRestoredState: true }, withoutCounts);
    expect(restored.skipped).toEqual(['counts']);
    expect(stateOf(restored.checkpoint.states, 'keyed', 0).operators).toEqual({ sink: { pending: [7] } });
  });

  it('takes a job’s checkpoint folder as its latest complete chk-<n>, and refuses paths that hold none, naming them', async () => {
    const jobFolder = tempDir();
    await savepointOf(graph([counts, sink]), join(jobFolder, 'chk-3'));
    await savepointOf(graph([counts, sink]), join(jobFolder, 'chk-12'));
    mkdirSync(join(jobFolder, 'chk-13.inprogress'));
    mkdirSync(join(jobFolder, 'chk-14'));
    const restored = await loadSavepoint({ path: jobFolder, allowNonRestoredState: false }, graph([counts, sink]));
    expect(restored.folder).toBe(join(jobFolder, 'chk-12'));

    const empty = tempDir();
    await expect(loadSavepoint({ path: empty, allowNonRestoredState: false }, graph([counts]))).rejects.toThrow(
      `the savepoint path ${empty} is not a savepoint or checkpoint folder`,
    );
    await expect(
      loadSavepoint({ path: join(empty, 'gone'), allowNonRestoredState: false }, graph([counts])),
    ).rejects.toThrow(`the savepoint path ${join(empty, 'gone')} cannot be read from the job manager (ENOENT)`);
    writeFileSync(join(empty, '_metadata'), '{ not json');
    await expect(loadSavepoint({ path: empty, allowNonRestoredState: false }, graph([counts]))).rejects.toThrow(
      `the savepoint ${empty} cannot be read: its _metadata is unreadable`,
    );
  });
});
