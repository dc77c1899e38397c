/**
 * The handle `executeAsync()` returns (Flink's JobClient): it asks the cluster about one job,
 * cancels it, or waits for its end. It turns the runtime's "a failure is a result" into the
 * user-facing "a failed job rejects", so `main()` can simply `await` a job.
 */
import { deserializeError, type JobStatus } from '../common/status.js';
import type { JobGraph } from '../jobgraph/jobGraph.js';
import { JobExecutionError } from './JobExecutionError.js';
import { JobExecutionResult } from './JobExecutionResult.js';
import type { SubmittedJob } from './JobSubmitter.js';

/** A submitted job, seen from the program that submitted it. */
export class JobClient {
  private result: Promise<JobExecutionResult> | undefined;

  /**
   * @param job the job as the submitter returned it.
   * @param graph the graph that was submitted; it tells which vertices end in collect sinks.
   */
  constructor(
    private readonly job: SubmittedJob,
    private readonly graph: JobGraph,
  ) {}

  /** The job's id. */
  getJobID(): string {
    return this.job.jobId;
  }

  /** The job's current status. */
  getJobStatus(): Promise<JobStatus> {
    return this.job.getJobStatus();
  }

  /** Asks the cluster to cancel the job; resolves once cancellation began. */
  cancel(): Promise<void> {
    return this.job.cancel();
  }

  /**
   * Waits for the job to end. Resolves with its result when it FINISHED; rejects with a
   * {@link JobExecutionError} whose `cause` is the user's original error when it ended otherwise.
   * Calling it again returns the same outcome without asking the cluster again.
   */
  getJobExecutionResult(): Promise<JobExecutionResult> {
    this.result ??= this.waitForResult();
    return this.result;
  }

  private async waitForResult(): Promise<JobExecutionResult> {
    const result = await this.job.getJobResult();
    if (result.status !== 'FINISHED') {
      throw new JobExecutionError({
        jobId: result.jobId,
        jobName: this.graph.name,
        status: result.status,
        cause: result.failure === undefined ? undefined : deserializeError(result.failure),
      });
    }
    const collectSinkIds = new Set(
      this.graph.vertices
        .filter((vertex) => vertex.operators.at(-1)?.kind === 'collectSink')
        .map((vertex) => vertex.id),
    );
    return new JobExecutionResult(result.jobId, result.durationMs, result.collected, collectSinkIds);
  }
}
