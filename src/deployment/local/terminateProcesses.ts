/**
 * Ends a set of processes within a bound: they get `graceMs` to exit on their own (after the job
 * manager was asked to shut the cluster down), then SIGTERM to their process groups, then SIGKILL,
 * so that every one is gone within about `killAfterMs` + 1 s of the decision.
 */
import type { LocalProcess } from './LocalProcess.js';

/** When to escalate, counted from the decision to stop. */
export interface TerminationSchedule {
  /** When the survivors get SIGTERM. */
  terminateAfterMs: number;
  /** When the survivors get SIGKILL. */
  killAfterMs: number;
  /** When to give up waiting after SIGKILL. */
  giveUpAfterMs: number;
}

/** The default schedule: SIGTERM after 2 s, SIGKILL after 4 s, every process gone within 5 s. */
export const DEFAULT_TERMINATION_SCHEDULE: TerminationSchedule = {
  terminateAfterMs: 2000,
  killAfterMs: 4000,
  giveUpAfterMs: 5000,
};

/**
 * Waits for every process to end, escalating on schedule; resolves when all are gone and rejects
 * naming the survivors otherwise. `startedAt` is when the decision to stop was taken.
 */
export async function terminateProcesses(
  processes: readonly LocalProcess[],
  schedule: TerminationSchedule = DEFAULT_TERMINATION_SCHEDULE,
  startedAt = Date.now(),
): Promise<void> {
  const waitAll = async (untilMs: number) => {
    const remaining = Math.max(0, startedAt + untilMs - Date.now());
    await Promise.all(processes.map((process) => process.waitForExit(remaining)));
  };
  const survivors = () => processes.filter((process) => process.running());

  await waitAll(schedule.terminateAfterMs);
  for (const process of survivors()) process.signal('SIGTERM');
  await waitAll(schedule.killAfterMs);
  for (const process of survivors()) process.signal('SIGKILL');
  await waitAll(schedule.giveUpAfterMs);
  const left = survivors();
  if (left.length > 0)
    throw new Error(
      `still running ${schedule.giveUpAfterMs} ms after the cluster was told to stop: ${left.map((process) => process.label).join(', ')}`,
    );
}

/** Kills every process at once and waits (up to `timeoutMs`) until they are gone. */
export async function killProcesses(processes: readonly LocalProcess[], timeoutMs = 2000): Promise<void> {
  for (const process of processes) process.signal('SIGKILL');
  await Promise.all(processes.map((process) => process.waitForExit(timeoutMs)));
  const left = processes.filter((process) => process.running());
  if (left.length > 0)
    throw new Error(`still running after SIGKILL: ${left.map((process) => process.label).join(', ')}`);
}
