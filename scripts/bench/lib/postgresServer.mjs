// A throwaway PostgreSQL 15 server for figure 5's PostgreSQL rows, the benchmark's own copy of what
// the tests use (test/support/postgresServer.ts, TypeScript, which the benchmark's plain node
// cannot import): Debian's binaries, a new data folder under the temp dir, a free loopback port.
// Unlike the tests' server it keeps fsync and full page writes on, so that a commit costs what it
// costs in production, as SQLite's commits do in the same figure. Under root it runs as the
// postgres user (the server refuses root). Stopped by its postmaster's pid, also at exit.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { cpuTimeMs } from './processes.mjs';

const BIN = '/usr/lib/postgresql/15/bin';
const ROLE = 'flotilla';

const running = new Map();
process.on('exit', () => {
  for (const [pid, folder] of running) {
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      // already gone
    }
    rmSync(folder, { recursive: true, force: true });
  }
});

/**
 * Starts a server; resolves with its port, pid, `createDatabase()`, `cpuTimeMs()` and `stop()`.
 * `settings` are more server settings (`-c name=value`), such as
 * `{ shared_preload_libraries: 'pg_stat_statements' }` for a script that counts statements.
 */
export async function startPostgresServer({ settings = {} } = {}) {
  const folder = mkdtempSync(join(tmpdir(), 'flotilla-bench-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(folder, id('-u'), id('-g'));
  }
  const command = (program, args) =>
    execFileSync(
      asRoot ? 'runuser' : join(BIN, program),
      asRoot ? ['-u', 'postgres', '--', join(BIN, program), ...args] : args,
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  const data = join(folder, 'data');
  command('initdb', ['-D', data, '-U', ROLE, '--auth=trust', '--encoding=UTF8', '--no-sync']);
  const port = await freeLoopbackPort();
  command('pg_ctl', [
    '-D',
    data,
    '-w',
    '-l',
    join(folder, 'server.log'),
    '-o',
    [
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${folder} -c max_connections=200`,
      ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
    ].join(' '),
    'start',
  ]);
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  running.set(pid, folder);
  const url = (database) => `postgresql://${ROLE}@127.0.0.1:${port}/${database}`;
  let databases = 0;
  return {
    port,
    pid,
    /** A new, empty database; resolves with its URL. */
    async createDatabase() {
      const name = `bench_${++databases}`;
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    /** CPU time the postmaster and its backends (each connection's process) have used so far, in ms. */
    cpuTimeMs() {
      let total = 0;
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
          if (Number(entry) === pid || ppid === pid) total += cpuTimeMs(Number(entry));
        } catch {
          // the process ended while we looked
        }
      }
      return total;
    },
    /** Immediate shutdown by pid; resolves once the postmaster is gone. */
    async stop() {
      if (!running.delete(pid)) return;
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        return;
      }
      for (let waited = 0; waited < 20_000; waited += 50) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

async function freeLoopbackPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
