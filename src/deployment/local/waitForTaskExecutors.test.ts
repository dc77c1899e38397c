import { describe, expect, it } from 'vitest';
import type { JobManagerAdmin } from '../DeploymentTarget.js';
import type { LocalProcess } from './LocalProcess.js';
import { waitForTaskExecutors } from './waitForTaskExecutors.js';

/** A process that keeps running. */
const running = (label: string) =>
  ({
    label,
    logPath: `/logs/${label}.log`,
    exitDescription: () => undefined,
    logTail: () => '',
  }) as unknown as LocalProcess;

/** A job manager whose overviews list these registered ids, one answer per call, the last one repeated. */
function admin(answers: string[][]): JobManagerAdmin {
  let call = 0;
  return {
    overview: async () => {
      const ids = answers[Math.min(call++, answers.length - 1)]!;
      return { taskExecutors: ids.length, registered: ids.map((id) => ({ id })) };
    },
    shutDownCluster: async () => undefined,
    close: () => undefined,
  };
}

describe('waitForTaskExecutors', () => {
  it('tells each count of registered task executors that grew, short of all, and resolves once all registered', async () => {
    const taskExecutors = ['te-0', 'te-1', 'te-2'].map((resourceId) => ({ process: running(resourceId), resourceId }));
    const counts: number[] = [];
    await waitForTaskExecutors(
      // A stranger's id counts for nothing; a count seen twice is told once; one that fell back is not told.
      admin([[], ['other'], ['te-1'], ['te-1'], ['te-0', 'te-1'], ['te-0'], ['te-0', 'te-1', 'te-2']]),
      running('jobmanager'),
      taskExecutors,
      10_000,
      new AbortController().signal,
      (registered) => counts.push(registered),
    );
    expect(counts).toEqual([1, 2]);
  });
});
