import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FailedPreconditionError } from '../../common/errors.js';
import { sharedDir } from '../../common/testing/tempDir.js';
import type { DispatcherGateway } from '../clusters/DispatcherGateway.js';
import type { Job } from '../model/Job.js';
import { silentLogger, testApplication, testCluster, testState } from '../testing/testState.js';
import { ApplicationSavepoints } from './ApplicationSavepoints.js';

/**
 * The savepoints over a real SQLite store; the clusters are a stand-in gateway that answers each
 * job's savepoint with a folder under the target (or refuses a job), as a Dispatcher does.
 */
async function setUp(refuse?: string) {
  const state = testState();
  const cluster = testCluster();
  await state.store.clusters.insert(cluster);
  const application = testApplication({ name: 'counter', status: 'RUNNING', clusterId: cluster.id });
  await state.store.applications.insert(application);
  const job = (id: string, name: string, overrides: Partial<Job> = {}): Job => ({
    id,
    applicationId: application.id,
    clusterId: cluster.id,
    name: `counter: ${name}`,
    livingPriority: 'NORMAL',
    status: 'RUNNING',
    restarts: 0,
    requestId: '',
    createTime: new Date(),
    ...overrides,
  });
  await state.store.jobs.insert(job('job-d', 'driver', { livingPriority: 'DRIVER' }));
  await state.store.jobs.insert(job('job-1', 'word counts'));
  await state.store.jobs.insert(job('job-2', 'line counts'));
  const asked: { jobId: string; target: string; stop: boolean }[] = [];
  const gateway = {
    async triggerSavepoint(jobId: string, target: string, stop: boolean) {
      asked.push({ jobId, target, stop });
      if (jobId === refuse) throw new FailedPreconditionError('the job takes no checkpoints');
      if (stop) await state.store.jobs.updateStatus(jobId, 'FINISHED', undefined);
      return join(target, `savepoint-${jobId}`);
    },
  } as unknown as DispatcherGateway;
  const cancelled: string[] = [];
  const savepoints = new ApplicationSavepoints({
    store: state.store,
    log: state.log,
    clusters: { gateway: async () => gateway },
    cancel: async (applicationId) => {
      cancelled.push(applicationId);
      await state.store.applications.update(applicationId, { status: 'CANCELED', endTime: new Date() });
    },
    logger: silentLogger,
    endGraceMs: 300,
  });
  return { ...state, application, savepoints, asked, cancelled };
}

describe('ApplicationSavepoints', () => {
  it('takes a savepoint of every running job but the driver into one folder, writes _application, and records it', async () => {
    const { application, savepoints, asked, store } = await setUp();
    const directory = sharedDir();
    const savepoint = await savepoints.trigger({ applicationId: application.id }, directory);
    expect(asked.map((each) => [each.jobId, each.stop]).sort()).toEqual([
      ['job-1', false],
      ['job-2', false],
    ]);
    expect(asked[0].target).toBe(savepoint.path);
    expect(savepoint.path.startsWith(`${directory}/app-savepoint-`)).toBe(true);
    const manifest = JSON.parse(readFileSync(join(savepoint.path, '_application'), 'utf8'));
    expect(manifest.jobs).toEqual([
      { jobId: 'job-1', jobName: 'word counts', path: 'savepoint-job-1' },
      { jobId: 'job-2', jobName: 'line counts', path: 'savepoint-job-2' },
    ]);
    expect((await store.applications.get(application.id)).lastSavepoint).toEqual(savepoint);
    const [event] = await store.events.readOfType(application.id, 'applicationSavepointCompleted');
    expect(event).toMatchObject({ stopped: false, message: `savepoint ${savepoint.path}` });
  });

  it('stops the jobs with a savepoint and cancels an application that does not end by itself', async () => {
    const { application, savepoints, asked, cancelled, store } = await setUp();
    const { savepoint, application: after } = await savepoints.stop(application.id, sharedDir());
    expect(asked.every((each) => each.stop)).toBe(true);
    expect(after.status).toBe('CANCELED');
    expect(cancelled).toEqual([application.id]);
    const [event] = await store.events.readOfType(application.id, 'applicationSavepointCompleted');
    expect(event).toMatchObject({ stopped: true, message: `stopped with savepoint ${savepoint.path}` });
  });

  it('names the job a cluster refused, and writes no manifest', async () => {
    const { application, savepoints } = await setUp('job-2');
    const directory = sharedDir();
    const refusal = savepoints.trigger({ applicationId: application.id }, directory);
    await expect(refusal).rejects.toThrow(FailedPreconditionError);
    await expect(refusal).rejects.toThrow(
      /savepoint of job job-2 \(counter: line counts\): the job takes no checkpoints \(1 other job savepoint\(s\) completed/,
    );
    const folders = readdirSync(directory);
    expect(folders).toHaveLength(1);
    for (const folder of folders) expect(existsSync(join(directory, folder, '_application'))).toBe(false);
  });

  it('refuses an application that is not RUNNING, one without running jobs, and a driver job', async () => {
    const { application, savepoints, store } = await setUp();
    await expect(savepoints.trigger({ jobId: 'job-d' }, '/tmp')).rejects.toThrow(
      /job job-d is RUNNING \(it stands for the application's main\(\)\)/,
    );
    for (const jobId of ['job-1', 'job-2']) await store.jobs.updateStatus(jobId, 'CANCELED', undefined);
    await expect(savepoints.trigger({ applicationId: application.id }, '/tmp')).rejects.toThrow(
      /has no RUNNING job to take a savepoint of/,
    );
    await store.applications.update(application.id, { status: 'FINISHED' });
    await expect(savepoints.stop(application.id, '/tmp')).rejects.toThrow(
      /application \S+ is FINISHED: only a RUNNING application's jobs take savepoints/,
    );
  });
});
