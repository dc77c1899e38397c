/**
 * The control plane's domain, as `flotilla controlplane --deployment-target simulated` assembles
 * it, over a real state database: a driver-mode application goes the normal path (stored and
 * DEPLOYING, an owned cluster deployed, the bundle uploaded, the driver submitted, the cluster's
 * job events relayed, the end reported by the cluster, the driver log copied, the cluster torn
 * down) with the clusters simulated.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../common/testing/tempDir.js';
import { ArtifactStore } from '../../blob/ArtifactStore.js';
import { packBundle } from '../../client/bundlePacker.js';
import { UnavailableError } from '../../common/errors.js';
import { SimulatedDeploymentTarget } from '../../deployment/simulated/SimulatedDeploymentTarget.js';
import { createControlPlaneDomain, type ControlPlaneDomain } from '../controlPlaneDomain.js';
import type { ApplicationEvent } from '../model/ApplicationEvent.js';
import { openSqliteControlPlaneStore } from '../store/sqlite/SqliteControlPlaneStore.js';
import { silentLogger } from '../testing/testState.js';
import { simulatedDispatchers } from './simulatedDispatcherGateway.js';

const opened: Array<{ domain: ControlPlaneDomain; close(): Promise<void> }> = [];
afterEach(async () => {
  for (const { domain, close } of opened.splice(0)) {
    await domain.close();
    await close();
  }
});

/** A domain on simulated clusters with one stored bundle; a real gateway is never asked for. */
async function simulatedDomain(script: ConstructorParameters<typeof SimulatedDeploymentTarget>[0] = {}) {
  const stateDir = tempDir();
  const store = openSqliteControlPlaneStore(stateDir, { groupCommit: false });
  const artifacts = await ArtifactStore.open(join(stateDir, 'artifacts'), store.artifacts, {
    maxArtifactBytes: 1024 * 1024,
  });
  // A real bundle: the control plane checks its entry, though the simulated cluster never runs it.
  const packed = await packBundle(
    fileURLToPath(new URL('../../../test/controlplane/fixtures/driver-app', import.meta.url)),
  );
  const bytes = readFileSync(packed.file);
  packed.cleanup();
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await artifacts.put(
    { sha256, sizeBytes: bytes.length, fileName: 'driver-app.tgz' },
    (async function* () {
      yield bytes;
    })(),
  );
  const target = new SimulatedDeploymentTarget({ eventIntervalMs: 1, ...script });
  const otherAddresses: string[] = [];
  const connect = simulatedDispatchers(target, (address) => {
    otherAddresses.push(address);
    throw new UnavailableError(`no real job manager in this test (${address})`);
  });
  const domain = createControlPlaneDomain({ store, artifacts, stateDir, connect, target, logger: silentLogger });
  await domain.recover();
  opened.push({ domain, close: () => store.close() });
  return { domain, target, artifactId: sha256, otherAddresses };
}

const runInput = (artifactId: string) => ({
  requestId: '',
  name: 'etl',
  bundle: { artifactId },
  entry: '',
  args: [],
  mode: 'DRIVER' as const,
  detached: false,
  target: { kind: 'deploy' as const, spec: { taskExecutors: 1, slotsPerTaskExecutor: 2, properties: {} } },
  driverResources: { cpus: 0, heapMemoryMb: 0, directMemoryMb: 0, nativeMemoryMb: 0 },
  parallelism: 1,
  properties: {},
  driverAttempts: 0,
  driverRetryOwnFailures: false,
});

async function followToEnd(domain: ControlPlaneDomain, applicationId: string): Promise<ApplicationEvent[]> {
  const events: ApplicationEvent[] = [];
  for await (const event of await domain.applications.watch({ applicationId, afterSequence: 0, follow: true }))
    events.push(event);
  return events;
}

function statusesOf(events: readonly ApplicationEvent[]): string[] {
  return events.flatMap((event) => (event.kind.type === 'applicationStatusChanged' ? [event.kind.status] : []));
}

describe('the control plane on simulated clusters', () => {
  it('deploys an owned cluster at once, relays its scripted events, ends the application FINISHED and tears the cluster down', async () => {
    const { domain, target, artifactId, otherAddresses } = await simulatedDomain({
      jobsPerApplication: 1,
      tasksPerJob: 1,
    });
    const { application } = await domain.applications.run(runInput(artifactId), '');
    const events = await followToEnd(domain, application.id);

    expect(statusesOf(events)).toEqual(['DEPLOYING', 'RUNNING', 'FINISHED']);
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
    // The application's log holds its own changes, its cluster's progress and every job and task event.
    const jobs = events.flatMap((event) =>
      event.kind.type === 'jobStatusChanged' ? [`${event.kind.livingPriority} ${event.kind.status}`] : [],
    );
    expect(jobs).toEqual([
      'DRIVER CREATED',
      'DRIVER RUNNING',
      'NORMAL CREATED',
      'NORMAL RUNNING',
      'NORMAL FINISHED',
      'DRIVER FINISHED',
    ]);
    expect(events.filter((event) => event.kind.type === 'taskStateChanged')).toHaveLength(10);
    expect(events.filter((event) => event.kind.type === 'clusterStatusChanged').length).toBeGreaterThanOrEqual(2);
    expect(events).toHaveLength(22);

    const ended = await domain.applications.get(application.id);
    expect(ended).toMatchObject({ status: 'FINISHED', ownsCluster: true });
    expect(ended.driverJobId).not.toBe('');
    expect(ended.jobIds).toHaveLength(1);
    const cluster = await domain.clusters.get(ended.clusterId);
    expect(cluster).toMatchObject({
      deploymentTarget: 'simulated',
      jobmanagerAddress: `${cluster.id}.simulated:1`,
      deploymentReference: `simulated:${cluster.id}`,
    });
    // The cluster goes once its application ended and the driver's output was copied.
    await expect.poll(async () => (await domain.clusters.get(cluster.id)).status).toBe('STOPPED');
    expect(target.size).toBe(0);
    expect(otherAddresses).toEqual([]);

    const log: string[] = [];
    for await (const piece of await domain.driverLogs.read({ applicationId: application.id, offset: 0, follow: false }))
      log.push(Buffer.from(piece.data).toString());
    expect(log.join('')).toBe(`main() of application ${application.id} runs on a simulated cluster (no process)\n`);
    expect(await domain.jobs.get(ended.driverJobId)).toMatchObject({ status: 'FINISHED', livingPriority: 'DRIVER' });
  });

  it('cancels an application whose driver runs on a simulated cluster', async () => {
    const { domain, artifactId } = await simulatedDomain({ eventIntervalMs: 60_000 });
    const { application } = await domain.applications.run(runInput(artifactId), '');
    await expect.poll(async () => (await domain.applications.get(application.id)).status).toBe('RUNNING');
    await domain.applications.cancel(application.id);
    const events = await followToEnd(domain, application.id);
    expect(statusesOf(events)).toEqual(['DEPLOYING', 'RUNNING', 'CANCELING', 'CANCELED']);
    expect((await domain.jobs.get((await domain.applications.get(application.id)).driverJobId)).status).toBe(
      'CANCELED',
    );
  });

  it('runs many applications side by side, each on its own simulated cluster', async () => {
    const { domain, target, artifactId } = await simulatedDomain({ eventIntervalMs: 0 });
    const ids = await Promise.all(
      Array.from({ length: 20 }, async () => (await domain.applications.run(runInput(artifactId), '')).application.id),
    );
    const finals = await Promise.all(ids.map(async (id) => statusesOf(await followToEnd(domain, id)).at(-1)));
    expect(finals).toEqual(ids.map(() => 'FINISHED'));
    await expect.poll(() => target.size).toBe(0);
  });
});
