/**
 * A test double of the runtime for the API's unit tests: it records every submitted job graph
 * and answers with a result the test chose, so tests can check what the API builds and how it
 * treats results without starting a cluster. It runs nothing.
 */
import type { JobStatus } from '../../common/status.js';
import type { JobGraph } from '../../jobgraph/jobGraph.js';
import type { JobResultWithRecords, JobSubmitOptions, JobSubmitter, SubmittedJob } from '../JobSubmitter.js';

/** The part of a result a test chooses; the job id comes from the fake. */
export type CannedResult = Omit<JobResultWithRecords, 'jobId'>;

/** Records submissions and answers each with `respond(graph)`; FINISHED with nothing collected by default. */
export class FakeJobSubmitter implements JobSubmitter {
  /** Every graph submitted, in order. */
  readonly submitted: JobGraph[] = [];
  /** The options of each submission, in order (undefined when none were given). */
  readonly submitOptions: Array<JobSubmitOptions | undefined> = [];
  /** How many times each job was cancelled, by job id. */
  readonly cancellations = new Map<string, number>();
  /** How many times each job's result was asked for, by job id. */
  readonly resultRequests = new Map<string, number>();

  constructor(
    private readonly respond: (graph: JobGraph) => CannedResult = () => ({
      status: 'FINISHED',
      durationMs: 5,
      collected: new Map(),
    }),
    private readonly status: JobStatus = 'RUNNING',
  ) {}

  /** The only graph submitted; fails the test when there was not exactly one. */
  get onlyGraph(): JobGraph {
    if (this.submitted.length !== 1)
      throw new Error(`expected exactly one submitted job, got ${this.submitted.length}`);
    return this.submitted[0];
  }

  async submit(graph: JobGraph, options?: JobSubmitOptions): Promise<SubmittedJob> {
    this.submitted.push(structuredClone(graph));
    this.submitOptions.push(options);
    const jobId = `job-${this.submitted.length}`;
    return {
      jobId,
      getJobStatus: async () => this.status,
      cancel: async () => {
        this.cancellations.set(jobId, (this.cancellations.get(jobId) ?? 0) + 1);
      },
      getJobResult: async () => {
        this.resultRequests.set(jobId, (this.resultRequests.get(jobId) ?? 0) + 1);
        return { jobId, ...this.respond(graph) };
      },
    };
  }
}
