/**
 * A job manager whose task executor was partitioned away still exits at once on SIGTERM (issue 19,
 * "Done when"): job manager and task executor each in a network namespace of their own
 * (test/support/networkNamespaces.ts), TLS with IP SANs and a cluster secret; the task executor's
 * link is set down, so packets to it are lost rather than refused, then the job manager gets
 * SIGTERM, before and after it declared the task executor lost. It was seen alive 128 s later.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeHostCertificates } from '../support/hostCertificates.js';
import { createVirtualNetwork, type VirtualNetwork } from '../support/networkNamespaces.js';
import type { ServerProcess } from '../support/processes.js';
import { clusterMemberFlags, startOnHost, writeClusterSecret } from '../support/standaloneCluster.js';
import { until } from '../support/until.js';

describe('SIGTERM to a job manager whose task executor is partitioned away', () => {
  let network: VirtualNetwork | undefined;
  afterEach(() => {
    network?.destroy();
    network = undefined;
  });

  /** A job manager and a registered task executor, each on a host of its own. */
  async function partitionedCluster(): Promise<{ jobManager: ServerProcess; taskExecutor: ServerProcess }> {
    network = createVirtualNetwork(2);
    const [jobManagerHost, taskExecutorHost] = network.hosts;
    const certificates = makeHostCertificates(network.hosts.map((host) => host.address));
    const secretFile = writeClusterSecret();
    const jobManager = await startOnHost(jobManagerHost, 'jobmanager', [
      '--listen',
      `${jobManagerHost.address}:6123`,
      ...clusterMemberFlags(certificates, jobManagerHost, secretFile),
    ]);
    const taskExecutor = await startOnHost(taskExecutorHost, 'taskexecutor', [
      '--listen',
      `${taskExecutorHost.address}:0`,
      '--jobmanager',
      jobManager.address,
      ...clusterMemberFlags(certificates, taskExecutorHost, secretFile),
    ]);
    await until('the task executor registered', () => jobManager.stderr().includes('task executor registered'), 20_000);
    taskExecutorHost.partition();
    return { jobManager, taskExecutor };
  }

  /** Sends SIGTERM and resolves with the exit code and how long the exit took. */
  async function terminate(jobManager: ServerProcess): Promise<{ code: number | null; ms: number }> {
    const sent = Date.now();
    const code = await Promise.race([
      jobManager.stop('SIGTERM'),
      new Promise<'alive'>((resolve) => setTimeout(() => resolve('alive'), 30_000)),
    ]);
    const ms = Date.now() - sent;
    if (code === 'alive')
      throw new Error(`the job manager was still alive 30 s after SIGTERM:\n${jobManager.stderr()}`);
    return { code, ms };
  }

  it('exits within 5 s of SIGTERM right after the partition', { timeout: 90_000 }, async () => {
    const { jobManager } = await partitionedCluster();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { code, ms } = await terminate(jobManager);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
  });

  it('exits within 5 s of SIGTERM once it declared the task executor lost', { timeout: 90_000 }, async () => {
    const { jobManager } = await partitionedCluster();
    await until(
      'the task executor was declared lost',
      () => jobManager.stderr().includes('task executor lost'),
      30_000,
    );
    const { code, ms } = await terminate(jobManager);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
  });
});
