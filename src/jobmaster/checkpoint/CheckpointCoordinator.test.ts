import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckpointingSettings } from '../../jobgraph/CheckpointingSettings.js';
import { CheckpointCoordinator, type CheckpointParticipants, type CheckpointTask } from './CheckpointCoordinator.js';
import { MEMORY_CHECKPOINT_STORAGE, type CheckpointStorage } from './CheckpointStorage.js';
import type { CompletedCheckpoint } from './CompletedCheckpoint.js';
import { FileSystemCheckpointStorage } from './FileSystemCheckpointStorage.js';

const SOURCE_0: CheckpointTask = { executionAttemptId: 'a-src-0', vertexId: 'vertex-1', subtaskIndex: 0 };
const SOURCE_1: CheckpointTask = { executionAttemptId: 'a-src-1', vertexId: 'vertex-1', subtaskIndex: 1 };
const SINK: CheckpointTask = { executionAttemptId: 'a-sink-0', vertexId: 'vertex-2', subtaskIndex: 0 };
const RUNNING: CheckpointParticipants = { sources: [SOURCE_0, SOURCE_1], all: [SOURCE_0, SOURCE_1, SINK] };
const bytes = (text: string) => new TextEncoder().encode(text);

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function coordinator(
  overrides: {
    settings?: Partial<CheckpointingSettings>;
    storage?: CheckpointStorage;
    participants?: () => CheckpointParticipants | undefined;
    trigger?: (task: CheckpointTask, checkpointId: number) => Promise<boolean>;
    initial?: CompletedCheckpoint;
  } = {},
) {
  const stops: boolean[] = [];
  const savepoints: string[] = [];
  const triggered: Array<[string, number]> = [];
  const confirmed: Array<[string, number]> = [];
  const completed: number[] = [];
  const instance = new CheckpointCoordinator({
    jobId: 'job-1',
    settings: { intervalMs: 60_000, timeoutMs: 60_000, retained: 1, ...overrides.settings },
    storage: overrides.storage ?? MEMORY_CHECKPOINT_STORAGE,
    logger: pino({ level: 'silent' }),
    participants: overrides.participants ?? (() => RUNNING),
    trigger:
      overrides.trigger ??
      (async (task, checkpointId, _timestamp, stop) => {
        triggered.push([task.executionAttemptId, checkpointId]);
        stops.push(stop);
        return true;
      }),
    confirm: async (task, checkpointId) => void confirmed.push([task.executionAttemptId, checkpointId]),
    onCompleted: (checkpoint) => completed.push(checkpoint.checkpointId),
    storeSavepoint: async (folder) => void savepoints.push(folder),
    initial: overrides.initial,
  });
  return { instance, triggered, confirmed, completed, stops, savepoints };
}

/** Acknowledges checkpoint `id` for every task of RUNNING. */
function acknowledgeAll(instance: CheckpointCoordinator, id: number): void {
  for (const task of RUNNING.all)
    expect(instance.acknowledge(task.executionAttemptId, id, bytes(`${task.executionAttemptId}@${id}`))).toBe(true);
}

describe('CheckpointCoordinator', () => {
  it('triggers the sources, completes once every task acknowledged, and confirms to every task', async () => {
    const { instance, triggered, confirmed, completed } = coordinator();
    expect(await instance.triggerCheckpoint()).toBe(1);
    expect(triggered).toEqual([
      ['a-src-0', 1],
      ['a-src-1', 1],
    ]);
    expect(instance.acknowledge('a-src-0', 1, bytes('s0'))).toBe(true);
    expect(instance.acknowledge('a-src-1', 1, bytes('s1'))).toBe(true);
    expect(instance.latestCompleted()).toBeUndefined();
    expect(instance.acknowledge('a-sink-0', 1, bytes('k0'))).toBe(true);
    await expect.poll(() => completed).toEqual([1]);
    const latest = instance.latestCompleted()!;
    expect(latest.checkpointId).toBe(1);
    expect([...latest.states.keys()].sort()).toEqual(['vertex-1/0', 'vertex-1/1', 'vertex-2/0']);
    expect(new TextDecoder().decode(latest.states.get('vertex-2/0'))).toBe('k0');
    await expect.poll(() => confirmed.length).toBe(3);
    expect(instance.counts).toEqual({ completed: 1, aborted: 0 });
  });

  it('keeps one checkpoint pending at a time and triggers none while not every task runs', async () => {
    let running = false;
    const { instance } = coordinator({ participants: () => (running ? RUNNING : undefined) });
    expect(await instance.triggerCheckpoint()).toBeUndefined();
    running = true;
    expect(await instance.triggerCheckpoint()).toBe(1);
    expect(await instance.triggerCheckpoint()).toBeUndefined();
    expect(instance.pendingCheckpointId()).toBe(1);
  });

  it('aborts on a decline, on a failure of the job and on a timeout; ids keep increasing and late acknowledgements are refused', async () => {
    const { instance, completed } = coordinator({ settings: { timeoutMs: 50 } });
    expect(await instance.triggerCheckpoint()).toBe(1);
    instance.decline('a-sink-0', 1, 'the sink failed');
    expect(instance.pendingCheckpointId()).toBeUndefined();
    expect(instance.acknowledge('a-src-0', 1, bytes('late'))).toBe(false);

    expect(await instance.triggerCheckpoint()).toBe(2);
    instance.abortPending('the job is failing');
    expect(instance.acknowledge('a-src-0', 2, bytes('late'))).toBe(false);

    expect(await instance.triggerCheckpoint()).toBe(3);
    await expect.poll(() => instance.pendingCheckpointId(), { timeout: 2000 }).toBeUndefined();
    expect(instance.counts.aborted).toBe(3);

    expect(await instance.triggerCheckpoint()).toBe(4);
    expect(instance.acknowledge('a-unknown', 4, bytes('x'))).toBe(false);
    acknowledgeAll(instance, 4);
    await expect.poll(() => completed).toEqual([4]);
  });

  it('aborts a checkpoint whose trigger a source did not take', async () => {
    const { instance } = coordinator({ trigger: async (task) => task !== SOURCE_1 });
    expect(await instance.triggerCheckpoint()).toBe(1);
    expect(instance.pendingCheckpointId()).toBeUndefined();
    expect(instance.counts.aborted).toBe(1);
  });

  it('writes each completed checkpoint atomically with a manifest and keeps only the last N', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'flotilla-checkpoints-'));
    folders.push(directory);
    const { instance, completed } = coordinator({
      settings: { retained: 2 },
      storage: new FileSystemCheckpointStorage(directory, 'job-1', { jobName: 'job one', vertices: [] }),
    });
    for (let id = 1; id <= 3; id++) {
      expect(await instance.triggerCheckpoint()).toBe(id);
      acknowledgeAll(instance, id);
      await expect.poll(() => completed.length).toBe(id);
    }
    const jobFolder = join(directory, 'job-1');
    expect(readdirSync(jobFolder).sort()).toEqual(['chk-2', 'chk-3']);
    const manifest = JSON.parse(readFileSync(join(jobFolder, 'chk-3', '_metadata'), 'utf8'));
    expect(manifest).toMatchObject({ jobId: 'job-1', checkpointId: 3 });
    expect(manifest.states.map((state: { file: string }) => state.file).sort()).toEqual([
      'vertex-1-0.state',
      'vertex-1-1.state',
      'vertex-2-0.state',
    ]);
    expect(readFileSync(join(jobFolder, 'chk-3', 'vertex-2-0.state'), 'utf8')).toBe('a-sink-0@3');
    expect(existsSync(join(jobFolder, 'chk-3.inprogress'))).toBe(false);
  });

  it('takes a savepoint after the pending checkpoint, stores it in its folder, keeps it from retention, and stops the sources with it', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'flotilla-checkpoints-'));
    folders.push(directory);
    const { instance, completed, stops, savepoints } = coordinator({
      settings: { retained: 1 },
      storage: new FileSystemCheckpointStorage(directory, 'job-1', { jobName: 'job one', vertices: [] }),
    });
    expect(await instance.triggerCheckpoint()).toBe(1);
    const savepoint = instance.triggerSavepoint({ folder: '/savepoints/savepoint-1', stop: true });
    // It waits for checkpoint 1 to settle before it is triggered.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(instance.pendingCheckpointId()).toBe(1);
    acknowledgeAll(instance, 1);
    await expect.poll(() => instance.pendingCheckpointId(), { timeout: 3000 }).toBe(2);
    expect(stops).toEqual([false, false, true, true]);
    // While a stop-with-savepoint is pending, no periodic checkpoint is triggered.
    expect(await instance.triggerCheckpoint()).toBeUndefined();
    acknowledgeAll(instance, 2);
    const taken = await savepoint;
    expect(taken).toMatchObject({ checkpointId: 2, savepoint: true, externalPath: '/savepoints/savepoint-1' });
    expect(savepoints).toEqual(['/savepoints/savepoint-1']);
    expect(completed).toEqual([1, 2]);
    expect(instance.latestCompleted()?.checkpointId).toBe(2);
    // The retained checkpoint stays: a savepoint does not count toward retention, nor is it deleted by it.
    expect(readdirSync(join(directory, 'job-1'))).toEqual(['chk-1']);
  });

  it('rejects a savepoint that is aborted, after which checkpoints resume', async () => {
    const { instance } = coordinator();
    const savepoint = instance.triggerSavepoint({ folder: '/savepoints/savepoint-2', stop: true });
    await expect.poll(() => instance.pendingCheckpointId()).toBe(1);
    instance.decline('a-sink-0', 1, 'the sink failed');
    await expect(savepoint).rejects.toThrow(
      'savepoint 1 was aborted: a task declined it: the sink failed; the job runs on',
    );
    expect(await instance.triggerCheckpoint()).toBe(2);
  });

  it('refuses a savepoint while not every task runs, and continues the ids of the savepoint it was started from', async () => {
    const initial: CompletedCheckpoint = {
      jobId: 'job-0',
      checkpointId: 41,
      timestamp: 1,
      completedAt: 2,
      states: new Map(),
    };
    const { instance } = coordinator({ participants: () => undefined, initial });
    await expect(instance.triggerSavepoint({ folder: '/savepoints/x', stop: false })).rejects.toThrow(
      /not every task of the job runs now/,
    );
    expect(instance.latestCompleted()).toBe(initial);
    const running = coordinator({ initial });
    expect(await running.instance.triggerCheckpoint()).toBe(42);
  });
});
