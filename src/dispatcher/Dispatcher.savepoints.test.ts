import { describe, expect, it } from 'vitest';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '../common/errors.js';
import { tempDir } from '../common/testing/tempDir.js';
import { ApplicationRestoreClaims } from './ApplicationRestoreClaims.js';
import { collectGraph, testDispatcher } from './testing/testDispatcher.js';

const streaming = (properties: Record<string, string> = {}) => ({
  ...collectGraph('counts'),
  runtimeMode: 'STREAMING' as const,
  properties: { 'execution.checkpointing.interval': '60000', ...properties },
});

describe('Dispatcher savepoints', () => {
  it('refuses TriggerSavepoint for an unknown job, a job without checkpointing, a job not RUNNING, and without a target', async () => {
    const { dispatcher, cluster } = testDispatcher();
    cluster.script = () => ({ outcome: 'hang' });
    await expect(dispatcher.triggerSavepoint('job-nope', { targetDirectory: '/tmp', stop: false })).rejects.toThrow(
      NotFoundError,
    );
    const plain = await dispatcher.submitJob({
      graph: collectGraph('plain'),
      livingPriority: 'NORMAL',
      applicationId: '',
    });
    await expect(dispatcher.triggerSavepoint(plain, { targetDirectory: '/tmp', stop: false })).rejects.toThrow(
      new FailedPreconditionError(
        `job ${plain} takes no checkpoints, so it cannot take a savepoint: enable checkpointing (env.enableCheckpointing(ms) in main(), or -Dexecution.checkpointing.interval=…) and run it again`,
      ),
    );
    const job = await dispatcher.submitJob({ graph: streaming(), livingPriority: 'NORMAL', applicationId: '' });
    await expect(dispatcher.triggerSavepoint(job, { stop: true })).rejects.toThrow(
      new InvalidArgumentError(
        `target_directory is required: job ${job} has no state.savepoints.dir property to take the savepoint's folder from`,
      ),
    );
    await expect(dispatcher.triggerSavepoint(job, { targetDirectory: 'relative', stop: true })).rejects.toThrow(
      /must be an absolute folder/,
    );
    dispatcher.cancelJob(job);
    await dispatcher.requestJobResult(job);
    await expect(dispatcher.triggerSavepoint(job, { targetDirectory: '/tmp', stop: true })).rejects.toThrow(
      `job ${job} is CANCELED; only a RUNNING job takes a savepoint`,
    );
  });

  it('refuses at submission a savepoint path that holds none, and a restoring job without checkpointing', async () => {
    const { dispatcher } = testDispatcher();
    const empty = tempDir();
    await expect(
      dispatcher.submitJob({
        graph: { ...streaming(), savepoint: { path: empty, allowNonRestoredState: false } },
        livingPriority: 'NORMAL',
        applicationId: '',
      }),
    ).rejects.toThrow(`the savepoint path ${empty} is not a savepoint or checkpoint folder`);
    await expect(
      dispatcher.submitJob({
        graph: { ...collectGraph('batchy'), savepoint: { path: empty, allowNonRestoredState: false } },
        livingPriority: 'NORMAL',
        applicationId: '',
      }),
    ).rejects.toThrow(/takes no checkpoints: a job restores state only as a STREAMING job with checkpointing/);
  });
});

describe('ApplicationRestoreClaims', () => {
  it('gives the first job of a name its savepoint, by its short or prefixed name, unless its graph has one; a refused claim is given back', () => {
    const claims = new ApplicationRestoreClaims('etl', {
      jobs: [{ jobName: 'counts', path: '/savepoints/a' }],
      allowNonRestoredState: true,
    });
    const own = { ...collectGraph('etl: counts'), savepoint: { path: '/mine', allowNonRestoredState: false } };
    expect(claims.claim(own)).toBe(own);
    const claimed = claims.claim(collectGraph('etl: counts'));
    expect(claimed.savepoint).toEqual({ path: '/savepoints/a', allowNonRestoredState: true });
    expect(claims.claim(collectGraph('counts')).savepoint).toBeUndefined();
    claims.release(claimed);
    expect(claims.claim(collectGraph('counts')).savepoint).toEqual({
      path: '/savepoints/a',
      allowNonRestoredState: true,
    });
    expect(claims.claim(collectGraph('etl: other')).savepoint).toBeUndefined();
  });
});
