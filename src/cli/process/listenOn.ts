/** Binds a node:http(s) server of a process (metrics, dashboard) to its address. */
import type { Server } from 'node:http';
import type { HostPort } from '../../common/address.js';

/** Resolves once `server` listens on `host:port`; rejects with the bind's error (a port in use). */
export function listenOn(server: Server, { host, port }: HostPort): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
