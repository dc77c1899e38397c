/**
 * One process of a local cluster. Processes are started detached, in their own process group, with
 * stdout and stderr going to files in the cluster's folder (never pipes: a pipe to a control plane
 * that died would end them with SIGPIPE), so that a cluster outlives its control plane. A process
 * started by this target is watched through its ChildProcess (Node reaps it when it ends); one
 * adopted from the cluster's record (after a control-plane restart) is watched by its pid, and
 * counts as ended once that pid runs no more, or runs a process with another start time (a
 * recycled pid) or one that is not Flotilla's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { memberName, type ClusterMember, type MemberStatus } from '../DeploymentTarget.js';
import type { ClusterIdentity } from './clusterUsers.js';
import type { LocalMemberRecord } from './LocalClusterRecord.js';
import { logTail, readTail } from './logTail.js';
import { isPidRunning, looksLikeFlotilla, processStartTime, signalProcessGroup } from './processLiveness.js';

/** How to start a process. */
export interface LocalProcessSpawn {
  member: ClusterMember;
  /** The cluster's folder: the process's output goes to `<name>.out` and `<name>.log` there. */
  folder: string;
  /** The program (the Node binary). */
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The user and group it runs as; this process's own when not given. */
  identity?: ClusterIdentity;
}

const POLL_MS = 50;

/** A process of a local cluster. */
export class LocalProcess {
  private exit: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    /** What the cluster's record says of it. */
    readonly record: LocalMemberRecord,
    private readonly folder: string,
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
    const name = memberName(options.member);
    const stdoutFile = `${name}.out`;
    const logFile = `${name}.log`;
    // The control plane's files (0600): the process writes to them only through these descriptors.
    const stdout = openSync(join(options.folder, stdoutFile), 'a', 0o600);
    const stderr = openSync(join(options.folder, logFile), 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(options.command, options.args, {
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ['ignore', stdout, stderr],
        uid: options.identity?.uid,
        gid: options.identity?.gid,
      });
    } finally {
      closeSync(stdout);
      closeSync(stderr);
    }
    // Without a listener a failed spawn would be an uncaught error; the exit event reports it.
    child.once('error', () => undefined);
    child.unref();
    if (child.pid === undefined)
      throw new Error(`could not start the ${options.member.role} process (${options.command})`);
    const record: LocalMemberRecord = {
      role: options.member.role,
      index: options.member.index,
      name,
      pid: child.pid,
      startTime: processStartTime(child.pid),
      stdoutFile,
      logFile,
    };
    return new LocalProcess(record, options.folder, child);
  }

  /** Watches a process recorded by an earlier target (or control plane) in the cluster's `folder`. */
  static adopt(record: LocalMemberRecord, folder: string): LocalProcess {
    return new LocalProcess(record, folder);
  }

  /** Its process id. */
  get pid(): number {
    return this.record.pid;
  }

  /** The process's name for messages, such as "taskexecutor-1 (pid 4242)". */
  get label(): string {
    return `${this.record.name} (pid ${this.record.pid})`;
  }

  /** The file its stdout goes to. */
  get stdoutPath(): string {
    return join(this.folder, this.record.stdoutFile);
  }

  /** The file its stderr, its log, goes to. */
  get logPath(): string {
    return join(this.folder, this.record.logFile);
  }

  /** Whether the process still runs. */
  running(): boolean {
    if (this.child) return this.exit === undefined;
    const { pid, startTime } = this.record;
    if (!isPidRunning(pid)) return false;
    const now = startTime === undefined ? undefined : processStartTime(pid);
    if (now !== undefined && now !== startTime) return false;
    return looksLikeFlotilla(pid);
  }

  /** How the process ended, such as "exited with code 1"; undefined while it runs. */
  exitDescription(): string | undefined {
    if (this.running()) return undefined;
    return this.exit ?? 'is no longer running';
  }

  /** The member and its liveness, as the port tells it. */
  status(): MemberStatus {
    const { role, index, name } = this.record;
    const exitReason = this.exitDescription();
    return exitReason === undefined
      ? { role, index, name, phase: 'running' }
      : { role, index, name, phase: 'exited', exitReason };
  }

  /** The last `lines` lines of its log, for error messages. */
  logTail(lines?: number): string {
    return logTail(this.logPath, lines);
  }

  /** At most the last `maxBytes` of its log; empty when there is none. */
  readLog(maxBytes: number): string {
    return readTail(this.logPath, maxBytes);
  }

  /** Sends `signal` to the process's group. */
  signal(signal: NodeJS.Signals): void {
    if (this.running()) signalProcessGroup(this.record.pid, signal);
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
