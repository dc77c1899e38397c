/**
 * Cluster leases (issue 19, part 5), on real processes: a cluster deployed for an application ends
 * itself once no job has run and no control plane has renewed its lease for the lease time. A
 * control plane killed (-9) while its owned cluster was still starting, before it submitted
 * anything, leaves no process behind after the lease time; a job manager started by hand with
 * `--lease-time` stays up while it is renewed (RenewClusterLease) or runs a job, and ends with its
 * task executor once neither happens; without `--lease-time` nothing ends it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DispatcherServiceDefinition } from '../../generated/flotilla/v1/dispatcher_service.js';
import { JobStatus, LivingPriority } from '../../generated/flotilla/v1/status.js';
import { connectClient } from '../../src/rpc/security/channelCredentials.js';
import { recordedClusterFolder, startControlPlane } from '../support/controlPlane.js';
import { startServer } from '../support/processes.js';
import { sharedDir } from '../support/tempDir.js';
import { driverRequest, isRunning, recordedProcesses, uploadDriverApp } from './controlPlaneTesting.js';
import { until } from '../support/until.js';

const LEASE_MS = 3000;

describe('cluster leases', () => {
  it(
    'an owned cluster whose control plane was killed (-9) while it started, before anything was submitted, ends itself after the lease time',
    { timeout: 90_000 },
    async () => {
      // Task executors start 2 s late, so the control plane is surely still waiting for them (and has submitted nothing) when it is killed.
      const preload = join(sharedDir(), 'late-task-executors.mjs');
      writeFileSync(
        preload,
        "if (process.argv.includes('taskexecutor')) await new Promise((resolve) => setTimeout(resolve, 2000));\n",
        { mode: 0o644 },
      );
      const controlPlane = await startControlPlane(['--cluster-lease-time', `${LEASE_MS}ms`], undefined, {
        FLOTILLA_ENV_NODE_OPTS: `--import ${preload}`,
      });
      const artifactId = await uploadDriverApp(controlPlane.address);
      const { application } = await controlPlane.client.runApplication(
        driverRequest(artifactId, { args: ['squares', '5'] }),
      );
      let clusterId = '';
      const deadline = Date.now() + 30_000;
      while (clusterId === '' && Date.now() < deadline) {
        clusterId = (await controlPlane.client.getApplication({ applicationId: application!.id })).application!
          .clusterId;
        if (clusterId === '') await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(clusterId).not.toBe('');
      // The job manager listens once it wrote its address file; the control plane renews the lease from then on.
      const folder = recordedClusterFolder(controlPlane.stateDir, clusterId);
      const { cluster } = await controlPlane.client.getCluster({ clusterId });
      const memberCount = cluster!.spec!.taskExecutors + 1;
      let members: ReturnType<typeof recordedProcesses> = [];
      await until(
        'the job manager listens and every member was started',
        () => {
          members = recordedProcesses(controlPlane.stateDir, clusterId);
          return members.length === memberCount && jobManagerListening(folder);
        },
        30_000,
      );
      await controlPlane.stop('SIGKILL');
      const killedAt = Date.now();
      const jobManager = members.find((member) => member.role === 'jobmanager')!;
      // Nothing but the lease ends it: it is still there well within the lease time.
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS / 3));
      expect(isRunning(jobManager.pid)).toBe(true);
      await until(
        'every process of the cluster has ended',
        () => members.every((member) => !isRunning(member.pid)),
        LEASE_MS + 20_000,
      );
      const endedAfterMs = Date.now() - killedAt;
      const log = readFileSync(jobManager.log_file, 'utf8');
      expect(log).toContain('cluster lease expired');
      expect(log).toMatch(/no control plane renewed the cluster's lease for \d+ s \(lease time 3 s\) while no job ran/);
      // The control plane had submitted no job: the job manager never logged one.
      expect(log).not.toMatch(/job ".*" is /);
      expect(endedAfterMs).toBeLessThan(LEASE_MS + 20_000);
    },
  );

  it(
    'a running job holds the lease of a cluster whose control plane was killed: it ends only a lease time after its application ended',
    { timeout: 120_000 },
    async () => {
      const gate = join(sharedDir(), 'go');
      const controlPlane = await startControlPlane(['--cluster-lease-time', `${LEASE_MS}ms`]);
      const artifactId = await uploadDriverApp(controlPlane.address);
      // The driver runs a job, then waits for the gate file (a running job: the driver's), then runs another.
      const { application } = await controlPlane.client.runApplication(
        driverRequest(artifactId, { entry: 'main.mjs#steps', args: ['squares', '3', 'await', gate, 'squares', '4'] }),
      );
      const applicationId = application!.id;
      let clusterId = '';
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { application: now } = await controlPlane.client.getApplication({ applicationId });
        clusterId = now!.clusterId;
        const { jobs } = await controlPlane.client.listJobs({
          applicationId,
          clusterId: '',
          pageSize: 50,
          pageToken: '',
        });
        if (jobs.some((job) => job.livingPriority !== LivingPriority.DRIVER && job.status === JobStatus.FINISHED))
          break;
        if (Date.now() > deadline) throw new Error('the first job of main() did not finish within 60 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const members = recordedProcesses(controlPlane.stateDir, clusterId);
      const jobManager = members.find((member) => member.role === 'jobmanager')!;
      await controlPlane.stop('SIGKILL');
      // Two lease times without a renewal: the waiting driver holds the lease.
      await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_MS));
      expect(members.every((member) => isRunning(member.pid))).toBe(true);
      writeFileSync(gate, '');
      const gateAt = Date.now();
      await until(
        'every process of the cluster has ended',
        () => members.every((member) => !isRunning(member.pid)),
        60_000,
      );
      // The application's second job ran first, and the cluster waited a lease time after it.
      expect(Date.now() - gateAt).toBeGreaterThanOrEqual(LEASE_MS);
      const log = readFileSync(jobManager.log_file, 'utf8');
      expect(log).toMatch(/application FINISHED/);
      expect(log).toContain('cluster lease expired');
    },
  );

  it(
    'a job manager started with --lease-time stays up while renewed, and ends with its task executor once it is not',
    { timeout: 60_000 },
    async () => {
      const jobManager = await startServer('jobmanager', ['--lease-time', '2s']);
      const taskExecutor = await startServer('taskexecutor', ['--jobmanager', jobManager.address]);
      const { channel, client } = connectClient(DispatcherServiceDefinition, jobManager.address);
      try {
        // Renewed every 500 ms for three lease times: it stays.
        const renewedUntil = Date.now() + 6000;
        while (Date.now() < renewedUntil) {
          expect((await client.renewClusterLease({ holder: 'the test' })).leaseTimeMs).toBe(2000);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        expect(jobManager.child.exitCode).toBeNull();
        expect(taskExecutor.child.exitCode).toBeNull();
        // No more renewals: both end, the job manager with code 0, having said why.
        const stoppedRenewingAt = Date.now();
        const [jobManagerCode, taskExecutorCode] = await Promise.all([
          exitCode(jobManager.child),
          exitCode(taskExecutor.child),
        ]);
        expect(jobManagerCode).toBe(0);
        expect(taskExecutorCode).toBe(0);
        expect(Date.now() - stoppedRenewingAt).toBeGreaterThanOrEqual(1500);
        expect(jobManager.stderr()).toContain('cluster lease expired');
        expect(jobManager.stderr()).toContain('"holder":"the test"');
      } finally {
        channel.close();
      }
    },
  );

  it('a job manager without --lease-time answers renewals with 0 and is not ended by their absence', async () => {
    const jobManager = await startServer('jobmanager');
    const { channel, client } = connectClient(DispatcherServiceDefinition, jobManager.address);
    try {
      expect((await client.renewClusterLease({ holder: '' })).leaseTimeMs).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(jobManager.child.exitCode).toBeNull();
    } finally {
      channel.close();
      expect(await jobManager.stop()).toBe(0);
    }
  });
});

/** Whether the job manager of the cluster in `folder` has written its address file (it listens). */
function jobManagerListening(folder: string): boolean {
  try {
    return readFileSync(join(folder, 'work', 'jobmanager.address'), 'utf8').trim() !== '';
  } catch {
    return false;
  }
}

/** The exit code of a child process, once it exits. */
function exitCode(child: import('node:child_process').ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
