/**
 * A throwaway PostgreSQL 15 server for tests: Debian's binaries, a new data folder under the
 * system's temp dir, listening on a free loopback port (and a socket in that folder), without
 * fsync (test data only). The server refuses to run as root, so under root it is set up and
 * started as the `postgres` user. Each test (or suite) takes a fresh database of its own with
 * {@link PostgresServer.createDatabase}. `stop` ends the server by its pid and removes its folder;
 * a test file that forgets, or a process that exits early, still stops it (an exit hook).
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/** Where Debian installs the server's programs. */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

/** The role every test database belongs to (the superuser initdb makes; trust authentication on loopback). */
const ROLE = 'flotilla';

/** A running server. */
export interface PostgresServer {
  /** The loopback port it listens on. */
  port: number;
  /** The postmaster's pid. */
  pid: number;
  /** The URL of a database of this server (`postgres` unless named). */
  url(database?: string): string;
  /** Makes a new, empty database (named uniquely unless given) and resolves to its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (immediate shutdown, by pid) and removes its folder; resolves once it is gone. Again: nothing. */
  stop(): Promise<void>;
}

const run = promisify(execFile);
let databases = 0;

/** Starts a new server; resolves once it takes connections. */
export async function startPostgresServer(): Promise<PostgresServer> {
  const folder = mkdtempSync(join(tmpdir(), 'flotilla-pg-'));
  const asRoot = process.getuid?.() === 0;
  // The server runs as the postgres user when we are root: it needs the folder for its data and socket.
  if (asRoot) chownSync(folder, userId('-u'), userId('-g'));
  const command = (program: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(POSTGRES_BIN, program), ...args])
      : run(join(POSTGRES_BIN, program), args);
  const data = join(folder, 'data');
  let pid: number | undefined;
  try {
    await command('initdb', ['-D', data, '-U', ROLE, '--auth=trust', '--encoding=UTF8', '--no-sync']);
    const port = await startOnFreePort(command, data, folder);
    pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const server = serverAt(port, pid, folder);
    stopAtExit.set(server.pid, folder);
    return server;
  } catch (error) {
    if (pid) await stopProcess(pid);
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}

/** Starts the server on a port that was free a moment ago; tries again if another process took it meanwhile. */
async function startOnFreePort(
  command: (program: string, args: string[]) => Promise<unknown>,
  data: string,
  folder: string,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    const settings = `-c listen_addresses=127.0.0.1 -p ${port} -k ${folder} -c fsync=off -c full_page_writes=off -c shared_buffers=16MB`;
    try {
      await command('pg_ctl', ['-D', data, '-w', '-l', join(folder, 'server.log'), '-o', settings, 'start']);
      return port;
    } catch (error) {
      if (attempt >= 3) {
        const log = readFileSync(join(folder, 'server.log'), 'utf8');
        throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`);
      }
    }
  }
}

function serverAt(port: number, pid: number, folder: string): PostgresServer {
  const url = (database = 'postgres') => `postgresql://${ROLE}@127.0.0.1:${port}/${database}`;
  return {
    port,
    pid,
    url,
    async createDatabase(name = `flotilla_${process.pid}_${++databases}`) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      // Once only: the pid may belong to another process after that.
      if (!stopAtExit.delete(pid)) return;
      await stopProcess(pid);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Sends the postmaster SIGQUIT (immediate shutdown: its children end at once) and waits until it is gone. */
async function stopProcess(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return;
  }
  for (let waited = 0; waited < 20_000; waited += 50) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  process.kill(pid, 'SIGKILL');
}

/** Servers still running, by pid, with their folders: stopped when the process exits. */
const stopAtExit = new Map<number, string>();
process.on('exit', () => {
  for (const [pid, folder] of stopAtExit) {
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      // already gone
    }
    rmSync(folder, { recursive: true, force: true });
  }
});

/** The postgres user's uid (`-u`) or gid (`-g`). */
function userId(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
}

/** A loopback port nobody listened on a moment ago. */
async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
