/** etcd for the test cluster: Debian's etcd-server, one member on loopback, data in a temporary folder. */
import { join } from 'node:path';
import { startDaemon, waitFor, type Daemon } from './daemons.js';
import { freePort } from './ports.js';

/** A running etcd and the URL clients reach it by. */
export interface Etcd {
  daemon: Daemon;
  clientUrl: string;
}

/** Starts etcd with its data under `folder` (no fsync: the data is thrown away). */
export async function startEtcd(binary: string, folder: string): Promise<Etcd> {
  const clientUrl = `http://127.0.0.1:${await freePort()}`;
  const peerUrl = `http://127.0.0.1:${await freePort()}`;
  const daemon = startDaemon(
    'etcd',
    binary,
    [
      '--name=flotilla-test',
      `--data-dir=${join(folder, 'data')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=flotilla-test=${peerUrl}`,
      '--unsafe-no-fsync',
      '--logger=zap',
      '--log-level=warn',
    ],
    join(folder, 'etcd.log'),
  );
  await waitFor(
    'etcd to answer /health',
    async () => {
      const response = await fetch(`${clientUrl}/health`);
      return response.ok && ((await response.json()) as { health?: string }).health === 'true' ? true : undefined;
    },
    20_000,
    [daemon],
  );
  return { daemon, clientUrl };
}
