/**
 * A control plane process for end-to-end tests, with its own state dir, a typed client, and a way
 * to see which cluster processes it left running.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createChannel, createClient, type Channel } from 'nice-grpc';
import { afterAll } from 'vitest';
import {
  ClusterClientServiceDefinition,
  type ClusterClientServiceClient,
} from '../../generated/flotilla/v1/cluster_client_service.js';
import type { ApplicationEvent } from '../../generated/flotilla/v1/events.js';
import { startServer, type ServerProcess } from './processes.js';
import { tempDir } from './tempDir.js';

/** A running control plane. */
export interface TestControlPlane {
  process: ServerProcess;
  address: string;
  stateDir: string;
  client: ClusterClientServiceClient;
  /** Environment variables that point the CLI at this control plane. */
  env: NodeJS.ProcessEnv;
  /** Stops the process (SIGTERM unless told otherwise); resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const started: { controlPlane: TestControlPlane; channel: Channel }[] = [];
afterAll(async () => {
  for (const { controlPlane, channel } of started.splice(0)) {
    channel.close();
    // Clusters outlive their control plane by design: whatever a test left running ends here.
    for (const pid of clusterProcesses(controlPlane.stateDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await controlPlane.stop();
  }
});

/**
 * Starts `flotilla controlplane` on a fresh (or the given) state dir, with `args` added to its
 * command line and `env` to its environment. When the test file ends it is stopped and every
 * cluster process of its state dir is killed.
 */
export async function startControlPlane(
  args: readonly string[] = [],
  stateDir = tempDir('flotilla-cp-'),
  env: NodeJS.ProcessEnv = {},
): Promise<TestControlPlane> {
  const process = await startServer('controlplane', ['--state-dir', stateDir, ...args], env);
  const channel = createChannel(process.address);
  const client = createClient(ClusterClientServiceDefinition, channel);
  const controlPlane = {
    process,
    address: process.address,
    stateDir,
    client,
    env: { FLOTILLA_CONTROLPLANE: process.address },
    stop: (signal?: NodeJS.Signals) => process.stop(signal),
  };
  started.push({ controlPlane, channel });
  return controlPlane;
}

/** The pids of running job manager and task executor processes whose command line mentions `stateDir`. */
export function clusterProcesses(stateDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      // The verb is an argument of its own: a control plane with --external-jobmanager is no cluster process.
      const member = args.includes('jobmanager') || args.includes('taskexecutor');
      if (state !== 'Z' && args.join(' ').includes(stateDir) && member) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** The folder the local deployment target made for a cluster (its record and logs), as the control plane recorded it. */
export function recordedClusterFolder(stateDir: string, clusterId: string): string {
  const db = new Database(join(stateDir, 'state.db'), { readonly: true, fileMustExist: true });
  try {
    return (
      db.prepare('SELECT deployment_reference FROM clusters WHERE id = ?').get(clusterId) as {
        deployment_reference: string;
      }
    ).deployment_reference;
  } finally {
    db.close();
  }
}

/** The secret the control plane issued to a cluster it deployed (its job manager and task executors take calls only with it). */
export function recordedClusterSecret(stateDir: string, clusterId: string): string {
  const db = new Database(join(stateDir, 'state.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT cluster_secret FROM clusters WHERE id = ?').get(clusterId) as { cluster_secret: string })
      .cluster_secret;
  } finally {
    db.close();
  }
}

/** Every event a watch of an application yields until it ends: the stored ones after `afterSequence` (follow = false), or all until the application ends (follow = true). */
export async function watchAll(
  client: ClusterClientServiceClient,
  applicationId: string,
  afterSequence: number,
  follow: boolean,
): Promise<ApplicationEvent[]> {
  const events: ApplicationEvent[] = [];
  for await (const { event } of client.watchApplication({
    applicationId,
    afterSequence: BigInt(afterSequence),
    follow,
  }))
    if (event) events.push(event);
  return events;
}
