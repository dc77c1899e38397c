/**
 * Helpers of the control-plane tests: a real control plane process with a client (restartable on
 * its state dir and address), the processes its local deployment target recorded for a cluster,
 * whether a pid still runs, and event streams.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, expect } from 'vitest';
import type {
  ClusterClientServiceClient,
  RunApplicationRequest,
} from '../../generated/flotilla/v1/cluster_client_service.js';
import type { ApplicationEvent } from '../../generated/flotilla/v1/events.js';
import type { Application, Cluster } from '../../generated/flotilla/v1/resources.js';
import { ApplicationStatus, ClusterStatus, SubmissionMode } from '../../generated/flotilla/v1/status.js';
import { uploadBundle } from '../../src/client/uploadBundle.js';
import { readLocalClusterRecord } from '../../src/deployment/local/LocalClusterRecord.js';
import { connectControlPlane } from '../../src/client/controlPlaneClient.js';
import { startControlPlane, watchAll, type TestControlPlane } from '../support/controlPlane.js';
import { ROOT } from '../support/processes.js';
import { tempDir } from '../support/tempDir.js';

export { recordedClusterSecret, watchAll, type TestControlPlane } from '../support/controlPlane.js';

/** The test application bundle (test/controlplane/fixtures/driver-app). */
export const DRIVER_APP = join(ROOT, 'test/controlplane/fixtures/driver-app');

/** What the test application's talk.mjs writes to each stream for `count` lines (every third to stderr). */
export function talkOutput(count: number): { stdout: string; stderr: string } {
  const lines = Array.from({ length: count }, (_, index) => index + 1);
  return {
    stdout: lines
      .filter((i) => i % 3 !== 0)
      .map((i) => `line ${i} to stdout\n`)
      .join(''),
    stderr: lines
      .filter((i) => i % 3 === 0)
      .map((i) => `line ${i} to stderr\n`)
      .join(''),
  };
}

/**
 * Starts `flotilla controlplane` (see startControlPlane) on a new (or the given) state dir; `listen`
 * (HOST:PORT) restarts one at the address it had; `args` are added.
 */
export function startTestControlPlane(
  stateDir = tempDir(),
  listen?: string,
  args: readonly string[] = [],
): Promise<TestControlPlane> {
  return startControlPlane([...(listen ? ['--listen', listen] : []), ...args], stateDir);
}

/** A control plane with the test application bundle uploaded, started before the file's tests (and stopped when the file ends, as every one is). */
export function controlPlaneForFile(): { readonly controlPlane: TestControlPlane; readonly artifactId: string } {
  const state = {} as { controlPlane: TestControlPlane; artifactId: string };
  beforeAll(async () => {
    state.controlPlane = await startTestControlPlane();
    state.artifactId = await uploadDriverApp(state.controlPlane.process.address);
  });
  return state;
}

/** Uploads the test application bundle (or the bundle at `bundle`); resolves with its artifact id. */
export async function uploadDriverApp(address: string, bundle = DRIVER_APP): Promise<string> {
  const connection = connectControlPlane(address);
  try {
    return (await uploadBundle(connection, bundle)).artifactId;
  } finally {
    connection.close();
  }
}

/** A driver-mode RunApplication request for `artifactId` with `changes`. */
export function driverRequest(artifactId: string, changes: Partial<RunApplicationRequest> = {}): RunApplicationRequest {
  return {
    requestId: '',
    name: '',
    bundle: { source: { $case: 'artifactId', artifactId } },
    entry: '',
    args: [],
    mode: SubmissionMode.DRIVER,
    detached: false,
    cluster: undefined,
    driverResources: undefined,
    parallelism: 0,
    savepoint: undefined,
    properties: {},
    driverAttempts: 0,
    driverRetryOwnFailures: false,
    resume: false,
    ...changes,
  };
}

/**
 * The processes the local deployment target recorded for a cluster: the control plane's state
 * database holds the target's reference to the cluster (its folder), and the target's own record
 * there names the processes. None when the target never recorded the deployment.
 */
export function recordedProcesses(
  stateDir: string,
  clusterId: string,
): { role: string; idx: number; pid: number; log_file: string }[] {
  const db = new Database(join(stateDir, 'state.db'), { readonly: true, fileMustExist: true });
  let reference: string;
  try {
    const row = db.prepare('SELECT deployment_reference FROM clusters WHERE id = ?').get(clusterId) as
      { deployment_reference: string } | undefined;
    reference = row?.deployment_reference ?? '';
  } finally {
    db.close();
  }
  const record = reference ? readLocalClusterRecord(reference) : undefined;
  return (record?.members ?? [])
    .map((member) => ({
      role: member.role,
      idx: member.index,
      pid: member.pid,
      log_file: join(reference, member.logFile),
    }))
    .sort((a, b) => a.role.localeCompare(b.role) || a.idx - b.idx);
}

/** Whether a pid names a running process; a zombie (ended, not reaped) counts as ended. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** SIGKILLs a process's group (cluster processes lead their own), or the process. */
export function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
      return;
    } catch {
      // Not there.
    }
  }
}

/** Polls GetCluster until the cluster is in `status`; resolves with it. */
export async function clusterInStatus(
  client: ClusterClientServiceClient,
  clusterId: string,
  status: ClusterStatus,
  timeout = 30_000,
): Promise<Cluster> {
  await expect
    .poll(async () => ClusterStatus[(await client.getCluster({ clusterId })).cluster!.status], {
      timeout,
      interval: 100,
    })
    .toBe(ClusterStatus[status]);
  return (await client.getCluster({ clusterId })).cluster!;
}

const TERMINAL = new Set([ApplicationStatus.FINISHED, ApplicationStatus.FAILED, ApplicationStatus.CANCELED]);

/** Polls GetApplication until it has ended; resolves with it. */
export async function endedApplication(
  client: ClusterClientServiceClient,
  applicationId: string,
  timeout = 60_000,
): Promise<Application> {
  await expect
    .poll(async () => TERMINAL.has((await client.getApplication({ applicationId })).application!.status), {
      timeout,
      interval: 100,
    })
    .toBe(true);
  return (await client.getApplication({ applicationId })).application!;
}

/** Every stored event of an application, checked to be numbered 1..N without a gap or a repeat. */
export async function wholeLog(client: ClusterClientServiceClient, applicationId: string): Promise<ApplicationEvent[]> {
  const events = await watchAll(client, applicationId, 0, false);
  expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => BigInt(index + 1)));
  return events;
}

/** An event as a short readable line, for comparing sequences of events. */
export function describeEvent(event: ApplicationEvent): string {
  const kind = event.kind;
  switch (kind?.$case) {
    case 'applicationStatusChanged':
      return `application ${ApplicationStatus[kind.applicationStatusChanged.status]}`;
    case 'clusterStatusChanged':
      return `cluster ${ClusterStatus[kind.clusterStatusChanged.status]}`;
    case 'jobStatusChanged':
      return `job ${kind.jobStatusChanged.jobId}`;
    case 'taskStateChanged':
      return `task ${kind.taskStateChanged.jobId}`;
    default:
      return 'unknown';
  }
}
