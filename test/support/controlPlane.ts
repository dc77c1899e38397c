/**
 * A control plane process for end-to-end tests, with its own state dir, a typed client, and a way
 * to see which cluster processes it left running.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createChannel, createClient } from 'nice-grpc';
import { afterAll } from 'vitest';
import { ClusterClientServiceDefinition, type ClusterClientServiceClient } from '../../generated/flotilla/v1/cluster_client_service.js';
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
}

const started: TestControlPlane[] = [];
afterAll(async () => {
  for (const controlPlane of started.splice(0)) {
    for (const pid of clusterProcesses(controlPlane.stateDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await controlPlane.process.stop();
  }
});

/** Starts `flotilla controlplane` on a fresh state dir, with `args` added to its command line. */
export async function startControlPlane(args: readonly string[] = []): Promise<TestControlPlane> {
  const stateDir = tempDir('flotilla-cp-');
  const process = await startServer('controlplane', ['--state-dir', stateDir, ...args]);
  const client = createClient(ClusterClientServiceDefinition, createChannel(process.address));
  const controlPlane = { process, address: process.address, stateDir, client, env: { FLOTILLA_CONTROLPLANE: process.address } };
  started.push(controlPlane);
  return controlPlane;
}

/** The pids of running job manager and task executor processes whose command line mentions `stateDir`. */
export function clusterProcesses(stateDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state !== 'Z' && cmdline.includes(stateDir) && /\b(jobmanager|taskexecutor)\b/.test(cmdline)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** The secret the control plane issued to a cluster it deployed (its job manager and task executors take calls only with it). */
export function recordedClusterSecret(stateDir: string, clusterId: string): string {
  const db = new Database(join(stateDir, 'state.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT cluster_secret FROM clusters WHERE id = ?').get(clusterId) as { cluster_secret: string }).cluster_secret;
  } finally {
    db.close();
  }
}

/** Every event of an application so far (follow = false), or until it ends (follow = true). */
export async function applicationEvents(client: ClusterClientServiceClient, applicationId: string, follow = false, afterSequence = 0): Promise<ApplicationEvent[]> {
  const events: ApplicationEvent[] = [];
  for await (const { event } of client.watchApplication({ applicationId, afterSequence: BigInt(afterSequence), follow })) if (event) events.push(event);
  return events;
}
