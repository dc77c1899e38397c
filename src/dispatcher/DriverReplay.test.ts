import { describe, expect, it } from 'vitest';
import { attemptsRemain, decideReplay, missingSubmission, type DriverReplay } from './DriverReplay.js';
import { NonDeterministicDriverError } from './NonDeterministicDriverError.js';

const finished = { jobId: 'job-1', status: 'FINISHED' as const, durationMs: 5, collected: new Map([['v', [1, 2]]]) };
const replay: DriverReplay = {
  attempt: 2,
  attempts: 3,
  submissions: [
    { ordinal: 1, fingerprint: 'a'.repeat(64), jobId: 'job-1', jobName: 'app: one', attempt: 1, result: finished },
    { ordinal: 2, fingerprint: 'b'.repeat(64), jobId: 'job-2', jobName: 'app: two', attempt: 1 },
  ],
};

describe('decideReplay', () => {
  it('answers a finished job from the record, attaches to a job the cluster knows, and runs one lost with its cluster again', () => {
    expect(decideReplay(replay, 1, 'a'.repeat(64), 'app: one', () => false)).toMatchObject({
      kind: 'replay',
      recorded: { jobId: 'job-1', result: finished },
    });
    expect(decideReplay(replay, 2, 'b'.repeat(64), 'app: two', (id) => id === 'job-2')).toMatchObject({
      kind: 'attach',
      recorded: { jobId: 'job-2' },
    });
    expect(decideReplay(replay, 2, 'b'.repeat(64), 'app: two', () => false)).toMatchObject({
      kind: 'resubmit',
      recorded: { jobId: 'job-2' },
    });
  });

  it('takes a submission past the record, or without a record, as new', () => {
    expect(decideReplay(replay, 3, 'c'.repeat(64), 'app: three', () => false)).toEqual({ kind: 'new' });
    expect(decideReplay(undefined, 1, 'c'.repeat(64), 'app: three', () => false)).toEqual({ kind: 'new' });
  });

  it('refuses another job graph at a recorded ordinal with a NonDeterministicDriverError naming the ordinal and both jobs', () => {
    const refusal = () => decideReplay(replay, 2, 'c'.repeat(64), 'app: other', () => true);
    expect(refusal).toThrow(NonDeterministicDriverError);
    expect(refusal).toThrow(
      /driver attempt 2 submitted job "app: other" \(fingerprint c{12}\) at ordinal 2, where attempt 1 submitted job job-2 "app: two" \(fingerprint b{12}\)/,
    );
  });
});

describe('missingSubmission', () => {
  it('names the first recorded ordinal an attempt ended without, and nothing when it made them all', () => {
    expect(missingSubmission(replay, 1)?.message).toMatch(
      /driver attempt 2 ended after 1 job submission\(s\) without submitting one at ordinal 2, where attempt 1 submitted job job-2 "app: two"/,
    );
    expect(missingSubmission(replay, 1)?.name).toBe('NonDeterministicDriverError');
    expect(missingSubmission(replay, 2)).toBeUndefined();
    expect(missingSubmission(undefined, 0)).toBeUndefined();
  });
});

describe('attemptsRemain', () => {
  it('holds while the attempt is not the last', () => {
    expect(attemptsRemain(replay)).toBe(true);
    expect(attemptsRemain({ ...replay, attempt: 3 })).toBe(false);
    expect(attemptsRemain(undefined)).toBe(false);
  });
});
