/**
 * Long-running processes of the test cluster (etcd, the Kubernetes components, containerd): each
 * started with its output in a log file, remembered by pid and stopped by that pid only, never by
 * name. Whatever a test did not stop is killed when the test file ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, readFileSync } from 'node:fs';
import { afterAll } from 'vitest';

/** A process started by {@link startDaemon}. */
export interface Daemon {
  name: string;
  pid: number;
  /** Where its stdout and stderr go. */
  logFile: string;
  /** Its log so far (the last `chars` characters). */
  log(chars?: number): string;
  /** Whether it has not exited yet. */
  running(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const started = new Set<ChildProcess>();
const killLeft = () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};
afterAll(killLeft);
// Daemons run in process groups of their own, so nothing else ends them with this process: when
// it exits before the hooks above stopped them (a stop that outlasted its hook's timeout, after
// which the test worker is closed), they are killed here rather than left running on the machine.
process.on('exit', killLeft);

/** Starts `command args` with its output appended to `logFile`. */
export function startDaemon(
  name: string,
  command: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv = {},
): Daemon {
  const output = openSync(logFile, 'a');
  // In a process group of its own: a Ctrl-C in the terminal of scripts/k8s/cluster.mjs reaches the
  // script, which stops the daemons in order, instead of killing them all at once under it.
  const child = spawn(command, args, {
    stdio: ['ignore', output, output],
    env: { ...process.env, ...env },
    detached: true,
  });
  if (child.pid === undefined) throw new Error(`${name}: ${command} could not be started`);
  started.add(child);
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    pid: child.pid,
    logFile,
    log: (chars = 4000) => readFileSync(logFile, 'utf8').slice(-chars),
    running,
    async stop(graceMs = 10_000) {
      if (!running()) return;
      const exited = once(child, 'exit');
      process.kill(child.pid!, 'SIGTERM');
      const timer = setTimeout(() => running() && process.kill(child.pid!, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      started.delete(child);
    },
  };
}

/** Polls `check` every 200 ms until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  daemons: readonly Daemon[] = [],
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const dead = daemons.find((daemon) => !daemon.running());
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}:\n${dead.log()}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
