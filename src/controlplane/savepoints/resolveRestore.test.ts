import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir, tempDir } from '../../common/testing/tempDir.js';
import { testApplication, testCluster, testState } from '../testing/testState.js';
import type { ControlPlaneStore } from '../store/ControlPlaneStore.js';
import type { Job } from '../model/Job.js';
import {
  APPLICATION_MANIFEST,
  makeApplicationSavepointFolder,
  readApplicationManifest,
  writeApplicationManifest,
} from './applicationSavepointManifest.js';
import { resolveRestore } from './resolveRestore.js';

/** A store with the cluster every test job runs on. */
async function storeWithCluster(): Promise<ControlPlaneStore> {
  const { store } = testState();
  await store.clusters.insert(testCluster({ id: 'cluster-1' }));
  return store;
}

const job = (overrides: Partial<Job> & Pick<Job, 'id' | 'applicationId' | 'name'>): Job => ({
  clusterId: 'cluster-1',
  livingPriority: 'NORMAL',
  status: 'RUNNING',
  restarts: 0,
  requestId: '',
  createTime: new Date(),
  ...overrides,
});

/** A job's savepoint or checkpoint folder as the job manager writes it: `_metadata` naming the job. */
function jobState(folder: string, jobId: string): string {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, '_metadata'), JSON.stringify({ jobId, checkpointId: 3 }));
  return folder;
}

describe('application savepoint manifest', () => {
  it('makes a folder with the mode of DIR, writes _application atomically with job paths relative to it, and reads them back absolute', async () => {
    const directory = sharedDir();
    const folder = await makeApplicationSavepointFolder(directory, 'app-0123456789ab');
    expect(folder).toMatch(new RegExp(`^${directory}/app-savepoint-01234567-[0-9a-f]{8}$`));
    expect(statSync(folder).mode & 0o7777).toBe(0o1777);
    const inside = jobState(join(folder, 'savepoint-job-1-aa'), 'job-1');
    const outside = jobState(join(tempDir(), 'elsewhere'), 'job-2');
    const savepoint = {
      applicationId: 'app-0123456789ab',
      path: folder,
      jobs: [
        { jobId: 'job-1', jobName: 'counts', path: inside },
        { jobId: 'job-2', jobName: 'totals', path: outside },
      ],
      createTime: new Date(7_000),
    };
    await writeApplicationManifest(savepoint, 'counter');
    const written = JSON.parse(readFileSync(join(folder, APPLICATION_MANIFEST), 'utf8'));
    expect(written).toEqual({
      applicationId: 'app-0123456789ab',
      name: 'counter',
      createdAt: new Date(7_000).toISOString(),
      jobs: [
        { jobId: 'job-1', jobName: 'counts', path: 'savepoint-job-1-aa' },
        { jobId: 'job-2', jobName: 'totals', path: outside },
      ],
    });
    expect((await readApplicationManifest(folder))?.jobs).toEqual(savepoint.jobs);
    expect(await readApplicationManifest(directory)).toBeUndefined();
  });

  it('refuses a savepoint folder that does not exist, naming it', async () => {
    await expect(makeApplicationSavepointFolder('/nonexistent/savepoints', 'app-1')).rejects.toThrow(
      /the savepoint folder "\/nonexistent\/savepoints" does not exist/,
    );
  });
});

describe('resolveRestore', () => {
  it('gives each job of an application savepoint its path by name', async () => {
    const { store } = testState();
    const folder = tempDir();
    const a = jobState(join(folder, 'savepoint-a'), 'job-a');
    const b = jobState(join(folder, 'savepoint-b'), 'job-b');
    await writeApplicationManifest(
      {
        applicationId: 'app-x',
        path: folder,
        jobs: [
          { jobId: 'job-a', jobName: 'counts', path: a },
          { jobId: 'job-b', jobName: 'totals', path: b },
        ],
        createTime: new Date(),
      },
      'counter',
    );
    const resolved = await resolveRestore({ path: folder, allowNonRestoredState: true }, 'counter', '', store);
    expect(resolved).toEqual({
      path: folder,
      allowNonRestoredState: true,
      jobs: [
        { jobName: 'counts', path: a },
        { jobName: 'totals', path: b },
      ],
    });
  });

  it("finds the job of one job's savepoint by the id in its _metadata, only among the tenant's jobs", async () => {
    const store = await storeWithCluster();
    const application = testApplication({ name: 'counter', tenant: 'team-a' });
    await store.applications.insert(application);
    await store.jobs.insert(job({ id: 'job-1', applicationId: application.id, name: 'counter: counts' }));
    const path = jobState(join(tempDir(), 'savepoint-job-1'), 'job-1');
    expect((await resolveRestore({ path, allowNonRestoredState: false }, 'counter', 'team-a', store)).jobs).toEqual([
      { jobName: 'counts', path },
    ]);
    await expect(resolveRestore({ path, allowNonRestoredState: false }, 'counter', 'team-b', store)).rejects.toThrow(
      /is the state of one job \(job-1\) that this control plane does not know/,
    );
  });

  it('refuses, naming the path, a folder that is missing or holds no savepoint, and an incomplete application savepoint', async () => {
    const { store } = testState();
    await expect(
      resolveRestore({ path: '/nonexistent/sp', allowNonRestoredState: false }, 'x', '', store),
    ).rejects.toThrow(/savepoint.path "\/nonexistent\/sp" is not a folder the control plane can read/);
    const empty = tempDir();
    await expect(resolveRestore({ path: empty, allowNonRestoredState: false }, 'x', '', store)).rejects.toThrow(
      new RegExp(`savepoint.path "${empty}" holds neither _application`),
    );
    const partial = tempDir();
    await writeApplicationManifest(
      {
        applicationId: 'app-x',
        path: partial,
        jobs: [{ jobId: 'job-a', jobName: 'counts', path: join(partial, 'gone') }],
        createTime: new Date(),
      },
      'x',
    );
    await expect(resolveRestore({ path: partial, allowNonRestoredState: false }, 'x', '', store)).rejects.toThrow(
      /names ".*\/gone" for job "counts", which holds no _metadata/,
    );
  });

  it('-r: resumes each job of the newest ended run of the name from its checkpoint folder', async () => {
    const store = await storeWithCluster();
    const checkpoints = tempDir();
    const properties = { 'state.checkpoints.dir': `file://${checkpoints}` };
    const older = testApplication({ name: 'counter', status: 'FAILED', properties });
    const previous = testApplication({ name: 'counter', status: 'FAILED', properties });
    await store.applications.insert(older);
    await store.applications.insert(previous);
    await store.jobs.insert(
      job({ id: 'job-d', applicationId: previous.id, name: 'counter: driver', livingPriority: 'DRIVER' }),
    );
    await store.jobs.insert(job({ id: 'job-1', applicationId: previous.id, name: 'counter: counts' }));
    await store.jobs.insert(job({ id: 'job-2', applicationId: previous.id, name: 'counter: no checkpoint' }));
    jobState(join(checkpoints, 'job-1', 'chk-4'), 'job-1');
    mkdirSync(join(checkpoints, 'job-2', 'chk-1.inprogress'), { recursive: true });
    const resolved = await resolveRestore(
      { path: '', allowNonRestoredState: false, resume: true },
      'counter',
      '',
      store,
    );
    expect(resolved).toEqual({
      path: '',
      allowNonRestoredState: false,
      resume: true,
      resumedFrom: previous.id,
      jobs: [{ jobName: 'counts', path: join(checkpoints, 'job-1') }],
    });
  });

  it('-r: refuses without an earlier run, while it runs, and when it kept no checkpoint', async () => {
    const { store } = testState();
    const resume = { path: '', allowNonRestoredState: false, resume: true };
    await expect(resolveRestore(resume, 'nothing', '', store)).rejects.toThrow(
      /found no earlier application named "nothing"/,
    );
    const running = testApplication({ name: 'running', status: 'RUNNING' });
    await store.applications.insert(running);
    await expect(resolveRestore(resume, 'running', '', store)).rejects.toThrow(
      expect.objectContaining({ name: 'FailedPreconditionError', message: expect.stringContaining('is RUNNING') }),
    );
    await store.applications.insert(testApplication({ name: 'in memory', status: 'FAILED' }));
    await expect(resolveRestore(resume, 'in memory', '', store)).rejects.toThrow(
      /kept its checkpoints in its job managers' memory only/,
    );
  });
});
