import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConnectJobManager } from '../DeploymentTarget.js';
import { JOB_MANAGER_ADDRESS_FILE, LocalDeploymentTarget } from './LocalDeploymentTarget.js';

const clustersDir = mkdtempSync(join(tmpdir(), 'flotilla-test-'));
afterAll(() => rmSync(clustersDir, { recursive: true, force: true }));

/** A target whose job managers only record what they are asked. */
function recordingTarget() {
  const asked: string[] = [];
  const connect: ConnectJobManager = (address, clusterSecret) => ({
    overview: async () => ({ taskExecutors: 0, registered: [] }),
    shutDownCluster: async (reason) => void asked.push(`${address} ${clusterSecret} ${reason}`),
    close: () => undefined,
  });
  const target = new LocalDeploymentTarget({
    clustersDir,
    connect,
    logger: pino({ level: 'silent' }),
    flotillaBin: '/nowhere/bin/flotilla.js',
    schedule: { terminateAfterMs: 0, killAfterMs: 0, giveUpAfterMs: 0 },
  });
  return { target, asked };
}

describe('LocalDeploymentTarget.attach', () => {
  it('attaches to nothing without a reference, or where no record is', async () => {
    const { target, asked } = recordingTarget();
    for (const reference of ['', join(clustersDir, 'never-deployed')]) {
      const handle = target.attach({ clusterId: 'cluster-x', reference });
      expect(await handle.members()).toEqual([]);
      await handle.tearDown('nothing to stop');
    }
    expect(asked).toEqual([]);
  });

  it('asks the job manager of a folder without a record (an earlier version deployed it) to stop, at the address it wrote', async () => {
    const { target, asked } = recordingTarget();
    const folder = join(clustersDir, 'cluster-old');
    mkdirSync(folder);
    writeFileSync(join(folder, JOB_MANAGER_ADDRESS_FILE), '127.0.0.1:7001\n');
    const handle = target.attach({ clusterId: 'cluster-old', reference: folder, clusterSecret: 's' });
    expect(await handle.members()).toEqual([]);
    await handle.tearDown('shut down after an upgrade');
    expect(asked).toEqual(['127.0.0.1:7001 s shut down after an upgrade']);
  });

  it('attaches to nothing when the record at the reference is of another cluster', async () => {
    const { target } = recordingTarget();
    const folder = join(clustersDir, 'cluster-a');
    mkdirSync(folder);
    writeFileSync(
      join(folder, 'cluster.json'),
      JSON.stringify({
        clusterId: 'cluster-a',
        jobmanagerAddress: '',
        members: [{ role: 'jobmanager', index: 0, name: 'jobmanager', pid: 1, stdoutFile: 'j.out', logFile: 'j.log' }],
      }),
    );
    expect(await target.attach({ clusterId: 'cluster-b', reference: folder }).members()).toEqual([]);
    expect(await target.attach({ clusterId: 'cluster-a', reference: folder }).members()).toHaveLength(1);
  });
});

describe('LocalDeploymentTarget.deploy with clusters under users of their own', () => {
  it("refuses, saying what to change, while a cluster's user could not enter the clusters' folder", async () => {
    const target = new LocalDeploymentTarget({
      clustersDir: join(clustersDir, 'clusters'),
      connect: () => {
        throw new Error('no job manager should be reached');
      },
      logger: pino({ level: 'silent' }),
      flotillaBin: '/nowhere/bin/flotilla.js',
      users: { identityOf: () => ({ uid: 4242, gid: 4242 }), switchesUser: true, description: 'as uid 4242' },
    });
    const recorded: string[] = [];
    await expect(
      target.deploy(
        { clusterId: 'cluster-u', taskExecutors: 1, slotsPerTaskExecutor: 1, tenant: 'team-a' },
        { onRecorded: (reference) => void recorded.push(reference), onJobManagerListening: () => undefined },
        new AbortController().signal,
      ),
    ).rejects.toThrow(
      `clusters run as users of their own (as uid 4242), which cannot reach ${join(clustersDir, 'clusters')}: ${clustersDir} is mode 0700, which others cannot enter`,
    );
    expect(recorded).toEqual([]);
  });
});
