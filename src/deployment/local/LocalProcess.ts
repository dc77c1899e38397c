/**
 * One process of a local cluster. Processes are started detached, in their own process group, with
 * stdout and stderr going to files (never pipes: a pipe to a control plane that died would end them
 * with SIGPIPE), so that a cluster outlives its control plane. A process started by this control
 * plane is watched through its ChildProcess (Node reaps it when it ends); one adopted from an earlier
 * control plane is watched by its pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { ClusterProcess } from '../DeploymentTarget.js';
import { isPidRunning, looksLikeFlotilla, signalProcessGroup } from './processLiveness.js';

/** How to start a process. */
export interface LocalProcessSpawn {
  role: ClusterProcess['role'];
  index: number;
  /** The program (the Node binary). */
  command: string;
  args: readonly string[];
  stdoutFile: string;
  logFile: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const POLL_MS = 50;

/** The name of a cluster process, which also names its files: "jobmanager", "taskexecutor-0", … */
export function processName(process: Pick<ClusterProcess, 'role' | 'index'>): string {
  return process.role === 'jobmanager' ? 'jobmanager' : `taskexecutor-${process.index}`;
}

/** A process of a local cluster. */
export class LocalProcess {
  private exit: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly info: ClusterProcess,
    private readonly child?: ChildProcess,
  ) {
    this.exited = child
      ? new Promise((resolve) => {
          child.once('exit', (code, signal) => {
            this.exit = signal ? `was killed by ${signal}` : `exited with code ${code}`;
            resolve();
          });
        })
      : Promise.resolve();
  }

  /** Starts a process as described, detached and with its output in files. */
  static spawn(options: LocalProcessSpawn): LocalProcess {
    const stdout = openSync(options.stdoutFile, 'a');
    const stderr = openSync(options.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(options.command, options.args, {
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ['ignore', stdout, stderr],
      });
    } finally {
      closeSync(stdout);
      closeSync(stderr);
    }
    // Without a listener a failed spawn would be an uncaught error; the exit event reports it.
    child.once('error', () => undefined);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start the ${options.role} process (${options.command})`);
    const info: ClusterProcess = {
      role: options.role,
      index: options.index,
      pid: child.pid,
      stdoutFile: options.stdoutFile,
      logFile: options.logFile,
    };
    return new LocalProcess(info, child);
  }

  /** Watches a process started by an earlier control plane. */
  static adopt(info: ClusterProcess): LocalProcess {
    return new LocalProcess(info);
  }

  /** The process's name for messages, such as "taskexecutor-1 (pid 4242)". */
  get label(): string {
    return `${processName(this.info)} (pid ${this.info.pid})`;
  }

  /** Whether the process still runs. */
  running(): boolean {
    if (this.child) return this.exit === undefined;
    return isPidRunning(this.info.pid) && looksLikeFlotilla(this.info.pid);
  }

  /** How the process ended, such as "exited with code 1"; undefined while it runs. */
  exitDescription(): string | undefined {
    if (this.running()) return undefined;
    return this.exit ?? 'is no longer running';
  }

  /** Sends `signal` to the process's group. */
  signal(signal: NodeJS.Signals): void {
    if (this.running()) signalProcessGroup(this.info.pid, signal);
  }

  /** Resolves true once the process has ended, or false after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + Math.max(0, timeoutMs);
    if (this.child) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, timeoutMs))));
      await Promise.race([this.exited, timedOut]);
      clearTimeout(timer);
      return !this.running();
    }
    while (this.running()) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return true;
  }
}
