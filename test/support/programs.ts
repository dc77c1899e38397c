/**
 * Runs a program that is not Flotilla's CLI (a Python or Go client, a code generator) to its end,
 * with a deadline, and keeps what it printed for the test's messages.
 */
import { spawn } from 'node:child_process';

/** How a program ended and what it printed. */
export interface ProgramResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runProgram}. */
export interface ProgramOptions {
  /** Killed (SIGKILL) after this many milliseconds; 60 s by default. */
  timeoutMs?: number;
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs `command args` with stdin closed and resolves once it exited. */
export function runProgram(
  command: string,
  args: readonly string[],
  options: ProgramOptions = {},
): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The program's last line of stdout, parsed as JSON (the summary the clients print with --json). */
export function lastJsonLine<T>(result: ProgramResult): T {
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as T;
}

/** A message for a failed expectation: how the program ended and everything it printed. */
export function describeRun(name: string, result: ProgramResult): string {
  return `${name} exited with ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}
