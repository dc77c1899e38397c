/**
 * Whether a process id still names a running process, and signals to whole process groups. A
 * zombie (dead, not yet reaped by its parent) still answers `kill(pid, 0)`; processes this control
 * plane spawned are reaped by Node, and for processes adopted from an earlier control plane a
 * zombie is counted as ended, since its new parent may never reap it.
 */
import { readFileSync } from 'node:fs';

/** Whether `pid` runs (and, on Linux, is not a zombie). */
export function isPidRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EPERM') return true;
    return false;
  }
  return procState(pid) !== 'Z';
}

/** The one-letter state of a Linux process from /proc, or undefined where /proc is not available. */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/**
 * When `pid` started, in clock ticks since boot (field 22 of /proc/PID/stat), or undefined where
 * /proc is not available or the process is gone. Recorded with a pid, it tells a recycled pid from
 * the process that had it: the same pid with another start time is another process.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces), from field 3 (state) on.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[22 - 3];
  } catch {
    return undefined;
  }
}

/** Whether a running `pid` looks like a Flotilla process (guards against a recycled pid); true where it cannot tell. */
export function looksLikeFlotilla(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('flotilla');
  } catch {
    return true;
  }
}

/**
 * Sends `signal` to the process group led by `pid` (every process of the cluster starts its own
 * group), falling back to the process alone; a process that is gone already is not an error.
 */
export function signalProcessGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
    return;
  } catch {
    // No such group (the leader may have been started without one): signal the process itself.
  }
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already.
  }
}
