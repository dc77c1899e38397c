/**
 * A tenant's limits on clusters on a real control plane with --auth-config, through the CLI as the
 * attack went (issue 18: a tenant limited to one running application started three more shared
 * clusters with `cluster start --no-wait`): past max_clusters, `cluster start` (with and without
 * --no-wait), `run --target per-job` and `run -D` deploying a cluster answer RESOURCE_EXHAUSTED
 * naming the setting and the tenant, max_task_executors bounds the size of what it deploys, and
 * another tenant deploys as before.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClusterStatus } from '../../generated/flotilla/v1/status.js';
import { clusterInStatus } from '../controlplane/controlPlaneTesting.js';
import { clusterProcesses, startControlPlane, type TestControlPlane } from '../support/controlPlane.js';
import { ROOT, runCli } from '../support/processes.js';
import { tempDir } from '../support/tempDir.js';
import { securedClient, TOKEN_A, TOKEN_B, writeAuthConfig } from './securityTesting.js';

const EXAMPLE = join(ROOT, 'examples/wordcount');
const PAST_CLUSTERS =
  'tenant team-a already has 1 cluster(s) deployed, the most it may (max_clusters of tenant team-a in the auth config: 1)';

describe('cluster limits of tenants', () => {
  let controlPlane: TestControlPlane;
  let asA: NodeJS.ProcessEnv;
  let asB: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const authConfig = writeAuthConfig({ a: { max_clusters: 1, max_task_executors: 2 } });
    controlPlane = await startControlPlane(['--auth-config', authConfig]);
    asA = { ...controlPlane.env, FLOTILLA_TOKEN: TOKEN_A };
    asB = { ...controlPlane.env, FLOTILLA_TOKEN: TOKEN_B };
  });

  it('refuses a cluster bigger than max_task_executors before deploying anything', async () => {
    const refused = await runCli(['cluster', 'start', '--no-wait', '--task-executors', '3'], asA);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'tenant team-a has 0 task executor(s) in its clusters; 3 more would pass the most it may (max_task_executors of tenant team-a in the auth config: 2)',
    );
    expect(clusterProcesses(controlPlane.stateDir)).toEqual([]);
  });

  it('past max_clusters, cluster start (with and without --no-wait), per-job and driver runs are RESOURCE_EXHAUSTED; tenant B is not limited', async () => {
    const first = await runCli(['cluster', 'start', '--no-wait', '--task-executors', '1', '--slots', '1'], asA);
    expect(first.code).toBe(0);
    const clusterA = first.stdout.trim();

    for (const start of [['--no-wait'], []]) {
      const refused = await runCli(['cluster', 'start', ...start, '--task-executors', '1'], asA);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(PAST_CLUSTERS);
    }
    const perJob = await runCli(['run', '--target', 'per-job', EXAMPLE, '4', join(tempDir(), 'out')], asA);
    expect(perJob.code).toBe(1);
    expect(perJob.stderr).toContain(PAST_CLUSTERS);
    const driver = await runCli(['run', '-D', EXAMPLE, '4', join(tempDir(), 'out')], asA);
    expect(driver.code).toBe(1);
    expect(driver.stderr).toContain(PAST_CLUSTERS);
    // Nothing was recorded for the refusals: tenant A has its one cluster and no application.
    const a = securedClient(controlPlane.address, { bearerToken: TOKEN_A });
    expect((await a.listClusters({ pageSize: 0, pageToken: '', statuses: [] })).clusters.map((c) => c.id)).toEqual([
      clusterA,
    ]);
    expect((await a.listApplications({ pageSize: 0, pageToken: '', statuses: [] })).applications).toEqual([]);

    // Tenant B deploys as it likes, also while tenant A is at its limit.
    const b = await runCli(['cluster', 'start', '--no-wait', '--task-executors', '1', '--slots', '1'], asB);
    expect(b.code).toBe(0);
    const clusterB = b.stdout.trim();
    const bClient = securedClient(controlPlane.address, { bearerToken: TOKEN_B });
    await clusterInStatus(bClient, clusterB, ClusterStatus.RUNNING);

    // Once tenant A's cluster is stopped, it may start another.
    await clusterInStatus(a, clusterA, ClusterStatus.RUNNING);
    expect((await runCli(['cluster', 'stop', clusterA], asA)).code).toBe(0);
    await clusterInStatus(a, clusterA, ClusterStatus.STOPPED);
    const again = await runCli(['cluster', 'start', '--no-wait', '--task-executors', '1', '--slots', '1'], asA);
    expect(again.code).toBe(0);
    const clusterA2 = again.stdout.trim();
    await clusterInStatus(a, clusterA2, ClusterStatus.RUNNING);
    for (const [env, id] of [
      [asA, clusterA2],
      [asB, clusterB],
    ] as const)
      expect((await runCli(['cluster', 'stop', id], env)).code).toBe(0);
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 10_000, interval: 100 }).toEqual([]);
  }, 120_000);
});
