// Spawning and timing processes for the benchmarks: Flotilla servers started from the compiled
// CLI, bare `node` processes for the floors, and the /proc polling that tells when a cluster's
// processes are gone. Every child started here is killed when the benchmark process exits.
import { execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { FLOTILLA_BIN } from './paths.mjs';

const started = new Set();
process.on('exit', () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** The wall clock in epoch milliseconds with sub-millisecond resolution (comparable with event times). */
export function wallClockMs() {
  return performance.timeOrigin + performance.now();
}

/**
 * Starts `node [nodeArgs] bin/flotilla.js <verb> --listen 127.0.0.1:0 ...args` and waits for its
 * `listening on` line. Logs go to the returned `stderr()`; stdout after that line is read and kept.
 */
export async function startServer(verb, args = [], { env = {}, nodeArgs = [], logLevel = 'warn' } = {}) {
  const child = spawn(
    process.execPath,
    [...nodeArgs, FLOTILLA_BIN, verb, '--listen', '127.0.0.1:0', '--log-level', logLevel, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FLOTILLA_LOG_FORMAT: 'json', ...env },
    },
  );
  started.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text) => {
    stderr = (stderr + text).slice(-64 * 1024);
  });
  let stdout = '';
  let listening;
  const address = await new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text) => {
      if (listening !== undefined) return;
      stdout += text;
      const match = /^listening on (\S+)\n/.exec(stdout);
      if (match) {
        listening = match[1];
        resolve(listening);
      }
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`flotilla ${verb} exited (${code ?? signal}) before listening:\n${stderr}`)),
    );
  });
  return {
    address,
    child,
    pid: child.pid,
    stderr: () => stderr,
    /** Sends `signal` (SIGTERM by default) and resolves with the exit code once it has exited. */
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code] = await exited;
      started.delete(child);
      return code;
    },
  };
}

/**
 * Runs `command args` to completion and returns its wall time in milliseconds (from just before
 * spawn() to the exit event), its exit code and its output.
 */
export async function timeProcess(command, args, { env = {} } = {}) {
  const begin = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  started.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
  const [code, signal] = await once(child, 'exit');
  const ms = performance.now() - begin;
  started.delete(child);
  return { ms, code, signal, stdout, stderr };
}

/** Runs `command args` to completion; throws with its output when it does not exit 0. */
export async function runChecked(command, args, options = {}) {
  const result = await timeProcess(command, args, options);
  if (result.code !== 0)
    throw new Error(
      `${[command, ...args].join(' ')} exited with ${result.code ?? result.signal}:\n${result.stderr || result.stdout}`,
    );
  return result;
}

/**
 * Spawns `count` bare `node` processes that each print one line and then wait; resolves with the
 * time until every one has printed, and a function that kills them.
 * With `groups`, the processes are spawned in waves: each wave only after the previous one printed
 * (the shape of a cluster: the job manager first, then the task executors).
 */
export async function spawnBareNodes(groups) {
  const begin = performance.now();
  const children = [];
  for (const count of groups) {
    await Promise.all(
      Array.from({ length: count }, async () => {
        const child = spawn(process.execPath, ['-e', "process.stdout.write('up\\n'); setInterval(() => {}, 60_000);"], {
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        started.add(child);
        children.push(child);
        await once(child.stdout, 'data');
      }),
    );
  }
  const ms = performance.now() - begin;
  return { ms, children };
}

/** Kills `children` with `signal` and resolves once each has exited. */
export async function killChildren(children, signal = 'SIGKILL') {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
      started.delete(child);
    }),
  );
}

/** Whether process `pid` exists and is not a zombie. */
export function isAlive(pid) {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== undefined && state !== 'Z';
  } catch {
    return false;
  }
}

/** The pids of live job manager and task executor processes whose command line mentions `folder`. */
export function clusterProcesses(folder) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(folder) && /\b(jobmanager|taskexecutor)\b/.test(cmdline) && isAlive(Number(entry)))
        pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/**
 * Polls until none of `pids` is alive, every `intervalMs`; resolves with the wall-clock time
 * (epoch ms) of the first poll that found none, and of the poll before it (the resolution).
 */
export async function waitUntilGone(pids, { intervalMs = 5, timeoutMs = 30_000 } = {}) {
  const deadline = performance.now() + timeoutMs;
  let previous = wallClockMs();
  for (;;) {
    const now = wallClockMs();
    if (!pids.some(isAlive)) return { goneAt: now, lastSeenAt: previous };
    if (performance.now() > deadline)
      throw new Error(`processes ${pids.filter(isAlive).join(', ')} still run after ${timeoutMs} ms`);
    previous = now;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

let clockTicks;

/** CPU time (user + system) process `pid` has used so far, in milliseconds, from /proc/PID/stat. */
export function cpuTimeMs(pid) {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm)".
  return ((Number(fields[11]) + Number(fields[12])) / clockTicks) * 1000;
}

/** Sends SIGKILL to every pid, ignoring those already gone. */
export function killPids(pids) {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Forks `script` (a client of figure 5, lib/scaleClient.mjs), sends it `task` and resolves with the
 * result it sends back; `onMessage` sees its other messages (such as "attached"). It is killed when
 * the benchmark process exits.
 */
export function runClientProcess(script, task, onMessage = () => {}) {
  const child = fork(script, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  started.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text) => (stderr = (stderr + text).slice(-16 * 1024)));
  const done = new Promise((resolve, reject) => {
    let settled = false;
    child.on('message', (message) => {
      if (message.type === 'result') {
        settled = true;
        resolve(message.result);
      } else if (message.type === 'error') {
        settled = true;
        reject(new Error(`client process ${child.pid} failed: ${message.error}`));
      } else onMessage(message);
    });
    child.once('exit', (code, signal) => {
      started.delete(child);
      if (!settled)
        reject(new Error(`client process ${child.pid} exited (${code ?? signal}) without a result:\n${stderr}`));
    });
  });
  child.send(task);
  return { pid: child.pid, done };
}

/** VmRSS and VmHWM (peak) of process `pid` in MiB, from /proc/PID/status. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
  return { rssMiB: field('VmRSS'), peakMiB: field('VmHWM') };
}
