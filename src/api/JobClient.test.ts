import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../common/errors.js';
import type { JobGraph } from '../jobgraph/jobGraph.js';
import { JobClient } from './JobClient.js';
import { JobExecutionError } from './JobExecutionError.js';
import type { JobResultWithRecords, SubmittedJob } from './JobSubmitter.js';

const graph: JobGraph = {
  name: 'two collects',
  defaultParallelism: 1,
  properties: {},
  edges: [],
  vertices: [
    {
      id: 'vertex-1',
      name: 'Source: Collection -> Sink: Collect',
      parallelism: 1,
      operators: [
        { kind: 'collectionSource', name: 'Source: Collection', records: [1] },
        { kind: 'collectSink', name: 'Sink: Collect' },
      ],
    },
    {
      id: 'vertex-2',
      name: 'Source: Sequence -> Sink: Collect',
      parallelism: 1,
      operators: [
        { kind: 'sequenceSource', name: 'Source: Sequence', from: 1, to: 2 },
        { kind: 'collectSink', name: 'Sink: Collect' },
      ],
    },
    {
      id: 'vertex-3',
      name: 'Source: Sequence -> Sink: Print',
      parallelism: 1,
      operators: [
        { kind: 'sequenceSource', name: 'Source: Sequence', from: 1, to: 2 },
        { kind: 'printSink', name: 'Sink: Print', prefix: '' },
      ],
    },
  ],
};

function jobEndingWith(result: Omit<JobResultWithRecords, 'jobId'>): SubmittedJob {
  return {
    jobId: 'job-7',
    getJobStatus: async () => result.status,
    cancel: async () => {},
    getJobResult: async () => ({ jobId: 'job-7', ...result }),
  };
}

describe('JobClient', () => {
  it("hands out each collect sink's records by vertex id, empty for a sink that produced none", async () => {
    const client = new JobClient(
      jobEndingWith({ status: 'FINISHED', durationMs: 9, collected: new Map([['vertex-1', [1]]]) }),
      graph,
    );
    const result = await client.getJobExecutionResult();
    expect(result.getCollected('vertex-1')).toEqual([1]);
    expect(result.getCollected('vertex-2')).toEqual([]);
    expect(() => result.getCollected('vertex-3')).toThrow(
      new InvalidArgumentError('job job-7 has no collect sink "vertex-3" (its collect sinks: vertex-1, vertex-2)'),
    );
  });

  it('rejects a failed job without a reported cause, and a job that ended in another status', async () => {
    const failed = new JobClient(jobEndingWith({ status: 'FAILED', durationMs: 1, collected: new Map() }), graph);
    await expect(failed.getJobExecutionResult()).rejects.toThrow(
      'job "two collects" (job-7) failed without a reported cause',
    );

    const suspended = new JobClient(jobEndingWith({ status: 'SUSPENDED', durationMs: 1, collected: new Map() }), graph);
    const error = await suspended.getJobExecutionResult().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JobExecutionError);
    expect((error as JobExecutionError).message).toBe('job "two collects" (job-7) ended in status SUSPENDED');
    expect((error as JobExecutionError).cause).toBeUndefined();
  });

  it("keeps the cause chain of the user's error", async () => {
    const failure = {
      name: 'Error',
      message: 'parse failed',
      stack: '',
      cause: { name: 'SyntaxError', message: 'Unexpected token', stack: '' },
    };
    const client = new JobClient(
      jobEndingWith({ status: 'FAILED', failure, durationMs: 1, collected: new Map() }),
      graph,
    );
    const error = (await client.getJobExecutionResult().catch((caught: unknown) => caught)) as JobExecutionError;
    expect(error.message).toBe('job "two collects" (job-7) failed: parse failed');
    const cause = error.cause as Error;
    expect(cause.message).toBe('parse failed');
    expect((cause.cause as Error).name).toBe('SyntaxError');
  });
});
