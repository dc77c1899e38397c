/**
 * Restores a job from a savepoint or an externalized checkpoint (Flink's savepoint restore): reads
 * the folder's manifest and state files, files each operator's state by its id (uid) across the
 * vertices it was in, and slices it again for the new graph, whose chaining and parallelism may
 * differ. An operator keeps its state when the new graph has an operator with its id:
 *
 * - at the same parallelism, subtask i gets subtask i's state;
 * - at another parallelism, a keyed aggregation's entries are redistributed by key (each key goes
 *   to the subtask the hash edge sends it to, selectChannel), a sink's pending commits go to the
 *   subtask of the same index where there is one, and a source's positions, which belong to the
 *   old split of its input, make the restore refused.
 *
 * State of an operator the new graph does not have is refused, naming the uids, unless
 * `allowNonRestoredState`; then it is skipped and reported. The result is a CompletedCheckpoint
 * of the new graph's vertices, which the job master restores its first attempt from.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { FailedPreconditionError } from '../../common/errors.js';
import type { JobGraph, OperatorSpec, SavepointRestoreSettings } from '../../jobgraph/jobGraph.js';
import { isKeyedOperatorKind } from '../../jobgraph/operatorIds.js';
import { selectChannel } from '../../runtime/partitioning/selectChannel.js';
import type { TaskStateSnapshot } from '../../runtime/TaskStateSnapshot.js';
import { MANIFEST_FILE, type CheckpointManifest } from './CheckpointManifest.js';
import { subtaskStateKey, type CompletedCheckpoint } from './CompletedCheckpoint.js';
import { resolveSavepointFolder } from './resolveSavepointFolder.js';

/** A savepoint made ready for one job. */
export interface RestoredSavepoint {
  /** The state for the new graph's subtasks, with the savepoint's checkpoint id. */
  checkpoint: CompletedCheckpoint;
  /** The folder it was read from (a `chk-<n>` for a job's checkpoint folder). */
  folder: string;
  /** The ids of operators whose state was skipped (allowNonRestoredState). */
  skipped: string[];
}

/** One operator's state in the savepoint: its parallelism then, and each subtask's state. */
interface OperatorState {
  parallelism: number;
  source: boolean;
  subtasks: Map<number, unknown>;
}

/**
 * Reads `settings.path` and slices it for `graph` (whose operators carry their ids).
 *
 * @throws FailedPreconditionError naming the path when it is missing, unreadable or not a
 *   savepoint; naming the operators when state maps to none of the graph's (without
 *   allowNonRestoredState) or cannot be redistributed to a new parallelism.
 */
export async function loadSavepoint(settings: SavepointRestoreSettings, graph: JobGraph): Promise<RestoredSavepoint> {
  const folder = await resolveSavepointFolder(settings.path);
  const manifest = await readManifest(folder);
  const operators = await readOperatorStates(folder, manifest);
  const placed = new Map<string, { vertexId: string; parallelism: number; spec: OperatorSpec; source: boolean }>();
  for (const vertex of graph.vertices) {
    const source = !graph.edges.some((edge) => edge.targetVertexId === vertex.id);
    vertex.operators.forEach((spec, index) =>
      placed.set(spec.uid!, {
        vertexId: vertex.id,
        parallelism: vertex.parallelism,
        spec,
        source: source && index === 0,
      }),
    );
  }
  const unmatched = [...operators.keys()].filter((id) => !placed.has(id)).sort();
  if (unmatched.length > 0 && !settings.allowNonRestoredState)
    throw new FailedPreconditionError(
      `the savepoint ${folder} holds state of ${unmatched.length === 1 ? 'an operator' : 'operators'} that job "${graph.name}" does not have: ${unmatched.join(', ')}; give ${unmatched.length === 1 ? 'it its' : 'them their'} uid back with .uid("…"), or allow that state to be skipped (allow_non_restored_state, flotilla run -n)`,
    );
  // The snapshot of each new subtask, by vertex and subtask index.
  const snapshots = new Map<string, TaskStateSnapshot>();
  const snapshotOf = (vertexId: string, subtaskIndex: number) => {
    const key = subtaskStateKey(vertexId, subtaskIndex);
    let snapshot = snapshots.get(key);
    if (!snapshot) snapshots.set(key, (snapshot = { checkpointId: manifest.checkpointId, operators: {} }));
    return snapshot;
  };
  for (const [operatorId, state] of operators) {
    const target = placed.get(operatorId);
    if (!target) continue;
    for (const [subtaskIndex, value] of redistribute(operatorId, state, target)) {
      const snapshot = snapshotOf(target.vertexId, subtaskIndex);
      if (target.source) snapshot.source = value;
      else snapshot.operators[operatorId] = value;
    }
  }
  const states = new Map<string, Uint8Array>();
  for (const [key, snapshot] of snapshots) states.set(key, new Uint8Array(serialize(snapshot)));
  return {
    folder,
    skipped: unmatched,
    checkpoint: {
      jobId: manifest.jobId,
      checkpointId: manifest.checkpointId,
      timestamp: manifest.timestamp,
      completedAt: manifest.completedAt,
      states,
      savepoint: manifest.kind === 'savepoint',
      externalPath: folder,
    },
  };
}

async function readManifest(folder: string): Promise<CheckpointManifest> {
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(await readFile(join(folder, MANIFEST_FILE), 'utf8')) as CheckpointManifest;
  } catch (error) {
    throw new FailedPreconditionError(
      `the savepoint ${folder} cannot be read: its ${MANIFEST_FILE} is unreadable (${(error as Error).message})`,
    );
  }
  if (!Array.isArray(manifest.vertices) || !Array.isArray(manifest.states) || !(manifest.checkpointId > 0))
    throw new FailedPreconditionError(
      `the savepoint ${folder} was written by a version of Flotilla that did not file state by operator; it cannot be restored`,
    );
  return manifest;
}

/** Every operator's state in the folder, by operator id; operators without state are left out. */
async function readOperatorStates(folder: string, manifest: CheckpointManifest): Promise<Map<string, OperatorState>> {
  const vertices = new Map(manifest.vertices!.map((vertex) => [vertex.vertexId, vertex]));
  const operators = new Map<string, OperatorState>();
  const stateOf = (operatorId: string, parallelism: number, source: boolean) => {
    let state = operators.get(operatorId);
    if (!state) operators.set(operatorId, (state = { parallelism, source, subtasks: new Map() }));
    return state;
  };
  for (const entry of manifest.states) {
    const vertex = vertices.get(entry.vertexId);
    if (!vertex)
      throw new FailedPreconditionError(
        `the savepoint ${folder} is damaged: its ${MANIFEST_FILE} lists state of vertex ${entry.vertexId}, which it does not describe`,
      );
    let snapshot: TaskStateSnapshot;
    try {
      snapshot = deserialize(await readFile(join(folder, entry.file))) as TaskStateSnapshot;
    } catch (error) {
      throw new FailedPreconditionError(
        `the savepoint ${folder} cannot be read: its state file ${entry.file} is unreadable (${(error as Error).message})`,
      );
    }
    if (vertex.startsWithSource && snapshot.source !== undefined)
      stateOf(vertex.operatorIds[0], vertex.parallelism, true).subtasks.set(entry.subtaskIndex, snapshot.source);
    for (const [operatorId, value] of Object.entries(snapshot.operators ?? {}))
      stateOf(operatorId, vertex.parallelism, false).subtasks.set(entry.subtaskIndex, value);
  }
  return operators;
}

/** An operator's state for the subtasks of its new vertex: [subtask index, state] pairs. */
function redistribute(
  operatorId: string,
  state: OperatorState,
  target: { parallelism: number; spec: OperatorSpec; source: boolean },
): Array<[number, unknown]> {
  if (state.parallelism === target.parallelism) return [...state.subtasks];
  if (isKeyedOperatorKind(target.spec.kind)) {
    const entries: Array<Array<{ key: unknown }>> = Array.from({ length: target.parallelism }, () => []);
    for (const value of state.subtasks.values())
      for (const entry of value as Array<{ key: unknown }>)
        entries[selectChannel(entry.key, target.parallelism)].push(entry);
    return entries
      .map((list, index): [number, unknown] => [index, list])
      .filter(([, list]) => (list as unknown[]).length > 0);
  }
  if (target.spec.kind === 'textFileSink') return [...state.subtasks].filter(([index]) => index < target.parallelism);
  throw new FailedPreconditionError(
    `operator "${operatorId}" ran with parallelism ${state.parallelism} when the savepoint was taken and has ${target.parallelism} now; ${target.source || state.source ? "a source's positions belong to how its input was split" : 'its state is not keyed'} and cannot be redistributed: run it with parallelism ${state.parallelism}`,
  );
}
