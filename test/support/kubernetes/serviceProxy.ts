/**
 * The `kubernetes` Service of the test cluster, as kube-proxy provides it on a real one: pods reach
 * the API server at 10.96.0.1:443 (their KUBERNETES_SERVICE_HOST/PORT, what in-cluster clients
 * dial). No kube-proxy runs here and the API server listens on loopback only, so the host holds the
 * Service's address on a link of its own (flotilla1, a bridge with no port: the kernel has no dummy
 * links here) and a TCP relay listening there forwards to the API server: a pod's packets to
 * 10.96.0.1 go to its gateway, the host, which delivers them locally. No iptables rule is needed.
 * TLS passes through untouched: pods verify the API server's certificate, which names 10.96.0.1.
 * Stopping closes the relay and deletes the link; hostSettings.ts removes it too when a run died
 * before.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { POD_BRIDGE } from './cni.js';
import { KUBERNETES_SERVICE_IP } from './credentials.js';

/** The link holding the Service's address. */
export const SERVICE_LINK = POD_BRIDGE.replace(/0$/, '1');
/** The `kubernetes` Service's port. */
const SERVICE_PORT = 443;

/** A running relay. */
export interface ServiceProxy {
  /** Closes the relay and every connection through it. */
  stop(): Promise<void>;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Puts the Service's address on the host and relays that address's port 443 to the API server on `apiServerPort`. */
export async function startServiceProxy(apiServerPort: number): Promise<ServiceProxy> {
  const deleteLink = () => {
    try {
      ip('link', 'delete', SERVICE_LINK);
    } catch {
      // Already gone.
    }
  };
  // One a run that died left behind.
  deleteLink();
  ip('link', 'add', SERVICE_LINK, 'type', 'bridge');
  ip('addr', 'add', `${KUBERNETES_SERVICE_IP}/32`, 'dev', SERVICE_LINK);
  ip('link', 'set', SERVICE_LINK, 'up');
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect(apiServerPort, '127.0.0.1');
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  server.listen(SERVICE_PORT, KUBERNETES_SERVICE_IP);
  try {
    await once(server, 'listening');
  } catch (error) {
    deleteLink();
    throw error;
  }
  return {
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      deleteLink();
    },
  };
}
