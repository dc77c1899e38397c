/**
 * Starts real Flotilla processes for tests, from the compiled CLI (npm run build), and stops them.
 * Every process started here is killed when the test file ends, even if a test forgot to.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The CLI entry, as users run it. */
export const FLOTILLA_BIN = `${ROOT}bin/flotilla.js`;

/** A server process started by {@link startServer}. */
export interface ServerProcess {
  /** The address from its `listening on` line. */
  address: string;
  /** The child process. */
  child: ChildProcess;
  /** Everything it wrote to stderr so far (its logs). */
  stderr(): string;
  /** Everything it wrote to stdout so far, after its `listening on` line (print sinks of a task executor). */
  stdout(): string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const started = new Set<ChildProcess>();
afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts `flotilla <verb> --listen 127.0.0.1:0 ...args` and waits for its `listening on` line. */
export function startServer(
  verb: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [FLOTILLA_BIN, verb, '--listen', '127.0.0.1:0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FLOTILLA_LOG_FORMAT: 'json', ...env },
  });
  return serverStarted(child, verb);
}

/**
 * Waits for the `listening on` line of a server process started some other way (in a network
 * namespace, say); it is killed when the test file ends, as every one started here.
 */
export async function serverStarted(child: ChildProcess, verb: string): Promise<ServerProcess> {
  started.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  // stdout is read to the end, so a process that prints a lot never blocks on a full pipe.
  let stdout = '';
  let listening: string | undefined;
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (listening !== undefined) return;
      const match = /^listening on (\S+)\n/.exec(stdout);
      if (match) {
        listening = match[1];
        stdout = stdout.slice(match[0].length);
        resolve(listening);
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`flotilla ${verb} exited with ${code} before listening:\n${stderr}`)),
    );
  });
  return {
    address,
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

/** The outcome of a CLI run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A client config path that does not exist, so the CLI under test sees no contexts. */
const NO_CLIENT_CONFIG = join(tmpdir(), `flotilla-tests-no-client-config-${process.pid}`, 'config.json');

/** Runs `flotilla ...args` to completion. */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [FLOTILLA_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // No client config of the machine's user reaches a test unless the test names one.
    env: { ...process.env, FLOTILLA_LOG_FORMAT: 'json', FLOTILLA_CONFIG: NO_CLIENT_CONFIG, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** A CLI process started by {@link startCli}, still running or ended. */
export interface CliProcess {
  child: ChildProcess;
  /** What it printed to stdout so far. */
  stdout(): string;
  /** What it printed to stderr so far. */
  stderr(): string;
}

/** Starts `flotilla ...args` in the background (killed when the test file ends, if it has not). */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [FLOTILLA_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FLOTILLA_LOG_FORMAT: 'json', FLOTILLA_CONFIG: NO_CLIENT_CONFIG, ...env },
  });
  started.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return { child, stdout: () => stdout, stderr: () => stderr };
}
