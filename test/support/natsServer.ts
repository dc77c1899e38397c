/**
 * A throwaway NATS server with JetStream for tests: Debian's `nats-server`, its JetStream store in a
 * new folder under the system's temp dir, listening on a free loopback port. `stop` ends it by its
 * pid and removes the folder; a test file that forgets, or a process that exits early, still stops
 * it (an exit hook).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';

/** A running NATS server. */
export interface NatsServer {
  /** Its client URL, `nats://127.0.0.1:<port>`. */
  url: string;
  pid: number;
  /** A client connection (closed by `stop`). */
  connect(): Promise<NatsConnection>;
  /** Stops the server by its pid and removes its folder; resolves once it is gone. Again: nothing. */
  stop(): Promise<void>;
}

const running = new Map<number, { child: ChildProcess; folder: string }>();
process.on('exit', () => {
  for (const [pid, { folder }] of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    rmSync(folder, { recursive: true, force: true });
  }
});

/** Starts `nats-server -js` on a free loopback port; resolves once it takes connections. */
export async function startNatsServer(): Promise<NatsServer> {
  const folder = mkdtempSync(join(tmpdir(), 'flotilla-nats-'));
  const port = await freePort();
  const child = spawn('nats-server', ['-js', '-sd', join(folder, 'store'), '-a', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (child.pid === undefined)
    throw new Error('nats-server did not start (is it installed? scripts/install-test-deps.sh)');
  const pid = child.pid;
  running.set(pid, { child, folder });
  const connections: NatsConnection[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (!running.has(pid)) return;
    for (const connection of connections.splice(0)) await connection.close().catch(() => undefined);
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
    running.delete(pid);
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`nats-server did not become ready:\n${log}`)), 15_000);
      child.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with code ${code}:\n${log}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  child.stderr?.resume();
  const url = `nats://127.0.0.1:${port}`;
  return {
    url,
    pid,
    async connect() {
      const connection = await connect({ servers: url });
      connections.push(connection);
      return connection;
    },
    stop,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
