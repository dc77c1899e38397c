/**
 * The {@link JobSubmitter} of a client-side main() (session and per-job modes): every job goes
 * through the control plane (SubmitJob), which sends it to the application's cluster or deploys a
 * cluster for it, and records it as a job of the application. Each submission carries its own
 * request id, and calls that could not reach the control plane are retried with it (a restarting
 * control plane neither loses nor doubles a job); a broken result stream is asked for again.
 */
import { randomUUID } from 'node:crypto';
import type { JobResultWithRecords, JobSubmitOptions, JobSubmitter, SubmittedJob } from '../api/JobSubmitter.js';
import { FailedPreconditionError } from '../common/errors.js';
import type { JobGraph } from '../jobgraph/jobGraph.js';
import { jobGraphToMessage } from '../runtime/service/jobGraph.js';
import { readJobResultStream } from '../runtime/service/jobResultStream.js';
import { jobStatusFromMessage } from '../rpc/convert/status.js';
import type { ControlPlaneConnection } from './controlPlaneClient.js';
import { retryTransient } from './retryTransient.js';

/** Options of {@link ControlPlaneJobSubmitter}. */
export interface ControlPlaneJobSubmitterOptions {
  connection: ControlPlaneConnection;
  applicationId: string;
  /** Called once the control plane accepted a job, with the cluster that runs it. */
  onSubmitted?: (jobId: string, clusterId: string, jobName: string) => void;
  /** How long to keep retrying a call answered UNAVAILABLE or an unreachable control plane, in milliseconds (default 60 s). */
  retryForMs?: number;
}

/** Submits a client-side main()'s jobs through the control plane. */
export class ControlPlaneJobSubmitter implements JobSubmitter {
  private readonly submitted: string[] = [];

  constructor(private readonly options: ControlPlaneJobSubmitterOptions) {}

  /** The ids of the jobs submitted so far, in order. */
  get jobIds(): readonly string[] {
    return this.submitted;
  }

  async submit(graph: JobGraph, options?: JobSubmitOptions): Promise<SubmittedJob> {
    if (options?.livingPriority === 'DAEMON')
      throw new FailedPreconditionError(
        `job "${graph.name}" asks for living priority DAEMON, which only driver and application modes keep (flotilla run -D or --target application); in session and per-job modes main() runs in the client, and its jobs are NORMAL`,
      );
    const { connection, applicationId } = this.options;
    const request = { applicationId, jobGraph: jobGraphToMessage(graph), requestId: randomUUID() };
    const { jobId, clusterId } = await this.retrying(() =>
      connection.call((client) => client.submitJob(request), { idempotent: true }),
    );
    this.submitted.push(jobId);
    this.options.onSubmitted?.(jobId, clusterId, graph.name);
    return {
      jobId,
      getJobStatus: async () => {
        const { job } = await this.retrying(() =>
          connection.call((client) => client.getJob({ jobId }), { idempotent: true }),
        );
        return jobStatusFromMessage(job!.status, 'job.status');
      },
      cancel: async () => {
        await this.retrying(() => connection.call((client) => client.cancelJob({ jobId })));
      },
      getJobResult: () => this.retrying(() => this.requestJobResult(jobId)),
    };
  }

  /** The job's result; a stream broken by a lost replica is asked for again, on the next replica when there are several. */
  private requestJobResult(jobId: string): Promise<JobResultWithRecords> {
    const { connection } = this.options;
    return connection.call(
      (client) =>
        readJobResultStream(client.requestJobResult({ jobId }), jobId, `the control plane at ${connection.address}`),
      { idempotent: true },
    );
  }

  private retrying<T>(call: () => Promise<T>): Promise<T> {
    return retryTransient(call, this.options.retryForMs);
  }
}
