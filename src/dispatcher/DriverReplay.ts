/**
 * Replay, not re-run (issue 15): a later driver attempt's k-th job submission is matched to the k-th
 * submission of the earlier attempts, as the control plane recorded them, by the fingerprint of its
 * job graph. A job that FINISHED is answered from the record (its result, collected records
 * included) and runs no more; one this cluster still knows (running, or ended) is attached to; one
 * lost with its cluster runs again here under the same id; a submission at an ordinal the record
 * does not reach is new. A different fingerprint is a {@link NonDeterministicDriverError}.
 */
import type { JobResult } from './JobResult.js';
import { NonDeterministicDriverError } from './NonDeterministicDriverError.js';

/** One job an earlier driver attempt submitted. */
export interface RecordedSubmission {
  ordinal: number;
  fingerprint: string;
  jobId: string;
  jobName: string;
  /** The attempt that submitted it. */
  attempt: number;
  /** Its result with collected records, when it FINISHED and the control plane kept it. */
  result?: JobResult;
}

/** What a driver attempt is told of the earlier ones. */
export interface DriverReplay {
  /** This attempt's number, from 1. */
  attempt: number;
  /** How many attempts the application may use in all. */
  attempts: number;
  /** The latest earlier submission at each ordinal. */
  submissions: RecordedSubmission[];
}

/** How one submission is answered. */
export type ReplayDecision =
  { kind: 'new' } | { kind: 'replay' | 'attach' | 'resubmit'; recorded: RecordedSubmission & { result?: JobResult } };

/** Whether attempts remain after `replay`'s: a lost driver's running jobs are then kept for the next one. */
export function attemptsRemain(replay: DriverReplay | undefined): boolean {
  return replay !== undefined && replay.attempt < replay.attempts;
}

/**
 * How submission `ordinal` of job graph `jobName` with `fingerprint` is answered from `replay`;
 * `known` says whether this cluster knows a job id (it still runs here, or ended here).
 *
 * @throws NonDeterministicDriverError when the earlier attempt submitted another job at that ordinal.
 */
export function decideReplay(
  replay: DriverReplay | undefined,
  ordinal: number,
  fingerprint: string,
  jobName: string,
  known: (jobId: string) => boolean,
): ReplayDecision {
  const recorded = replay?.submissions.find((submission) => submission.ordinal === ordinal);
  if (!replay || !recorded) return { kind: 'new' };
  if (recorded.fingerprint !== fingerprint) {
    throw new NonDeterministicDriverError(
      `driver attempt ${replay.attempt} submitted job "${jobName}" (fingerprint ${fingerprint.slice(0, 12)}) at ordinal ${ordinal}, ` +
        `where attempt ${recorded.attempt} submitted job ${recorded.jobId} "${recorded.jobName}" (fingerprint ${recorded.fingerprint.slice(0, 12)}): ` +
        'a driver replayed from its record must submit the same jobs in the same order in every attempt (nothing random, no clock, no outside state in what decides a job graph)',
    );
  }
  if (recorded.result?.status === 'FINISHED') return { kind: 'replay', recorded };
  return { kind: known(recorded.jobId) ? 'attach' : 'resubmit', recorded };
}

/** The error for an attempt whose main() ended after `submitted` submissions, short of the record; undefined when it is not. */
export function missingSubmission(
  replay: DriverReplay | undefined,
  submitted: number,
): NonDeterministicDriverError | undefined {
  const missing = replay?.submissions.find((submission) => submission.ordinal > submitted);
  if (!replay || !missing) return undefined;
  return new NonDeterministicDriverError(
    `driver attempt ${replay.attempt} ended after ${submitted} job submission(s) without submitting one at ordinal ${missing.ordinal}, ` +
      `where attempt ${missing.attempt} submitted job ${missing.jobId} "${missing.jobName}": a driver replayed from its record must submit the same jobs in the same order in every attempt`,
  );
}
