/**
 * The API server tier of the test cluster (envtest's tier): etcd and kube-apiserver only, up in
 * seconds, for client logic that needs a real API server but no pods. Everything lives in a
 * temporary folder; `stop()` ends both processes by pid, and a tier a test left running is
 * stopped when the test file ends.
 */
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { tempDir } from '../tempDir.js';
import type { ApiClient } from './apiClient.js';
import { startApiServer } from './apiServer.js';
import { kubernetesBinaries } from './binaries.js';
import { makeClusterCredentials, type ClusterCredentials } from './credentials.js';
import type { Daemon } from './daemons.js';
import { startEtcd } from './etcd.js';
import { writeKubeconfig } from './kubeconfig.js';

/** A running API server tier. */
export interface ApiServerTier {
  /** The tier's temporary folder (logs, keys, data). */
  folder: string;
  /** https://127.0.0.1:PORT */
  server: string;
  /** etcd's client URL (http://127.0.0.1:PORT), for what only etcd does, such as compacting. */
  etcdUrl: string;
  /** A kubeconfig with the admin token, for clients under test. */
  kubeconfig: string;
  credentials: ClusterCredentials;
  /** A client with the admin token. */
  client: ApiClient;
  /** etcd and kube-apiserver. */
  daemons: Daemon[];
  /** Stops the API server, then etcd. */
  stop(): Promise<void>;
}

const running = new Set<ApiServerTier>();
afterAll(async () => {
  for (const tier of running) await tier.stop();
});

/** What to change in the tier. */
export interface ApiServerTierOptions {
  /** More kube-apiserver flags, such as `--watch-cache=false`. */
  apiServerArgs?: readonly string[];
}

/** Starts etcd and kube-apiserver and writes a kubeconfig; resolves once /readyz is ok. */
export async function startApiServerTier(options: ApiServerTierOptions = {}): Promise<ApiServerTier> {
  const binaries = kubernetesBinaries();
  const folder = tempDir('flotilla-kubernetes-');
  const credentials = makeClusterCredentials(folder);
  const etcd = await startEtcd(binaries.etcd, folder);
  const daemons: Daemon[] = [etcd.daemon];
  try {
    const apiServer = await startApiServer(
      binaries.apiServer,
      folder,
      etcd.clientUrl,
      credentials,
      options.apiServerArgs,
    );
    daemons.push(apiServer.daemon);
    const tier: ApiServerTier = {
      folder,
      server: apiServer.server,
      etcdUrl: etcd.clientUrl,
      kubeconfig: writeKubeconfig(
        join(folder, 'kubeconfig'),
        apiServer.server,
        credentials.caPem,
        credentials.tokens.admin,
      ),
      credentials,
      client: apiServer.client,
      daemons,
      async stop() {
        running.delete(tier);
        await stopAll(daemons);
      },
    };
    running.add(tier);
    return tier;
  } catch (error) {
    await stopAll(daemons);
    throw error;
  }
}

/** Stops daemons in the reverse order of their start. */
export async function stopAll(daemons: readonly Daemon[]): Promise<void> {
  for (const daemon of [...daemons].reverse()) await daemon.stop();
}
