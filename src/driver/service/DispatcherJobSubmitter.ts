/**
 * A {@link JobSubmitter} over gRPC to a cluster's Dispatcher: what an environment uses when its
 * jobs go to a session cluster directly (a driver inside the cluster, tests, a mini cluster).
 * Failed calls come back as domain errors, so `main()` sees the same errors whatever the transport.
 */
import type { Channel } from 'nice-grpc';
import { ClientError, Status } from 'nice-grpc-common';
import {
  DispatcherServiceDefinition,
  type DispatcherServiceClient,
} from '../../../generated/flotilla/v1/dispatcher_service.js';
import { UnavailableError } from '../../common/errors.js';
import type { LivingPriority } from '../../common/status.js';
import type { JobResultWithRecords, JobSubmitOptions, JobSubmitter, SubmittedJob } from '../../api/JobSubmitter.js';
import type { JobGraph } from '../../jobgraph/jobGraph.js';
import { jobGraphToMessage } from '../../runtime/service/jobGraph.js';
import { readJobResultStream } from '../../runtime/service/jobResultStream.js';
import { jobStatusFromMessage, livingPriorityToMessage } from '../../rpc/convert/status.js';
import { connectClient } from '../../rpc/security/channelCredentials.js';
import type { ClientSecurity } from '../../rpc/security/ClientSecurity.js';
import { domainErrorOf } from '../../rpc/statusMapping.js';

/** Options of {@link DispatcherJobSubmitter}. */
export interface DispatcherJobSubmitterOptions {
  /** The job manager's address, HOST:PORT. */
  address: string;
  /** The application the jobs belong to; empty for none. */
  applicationId?: string;
  /** The priority the jobs get (FLIP-40) unless a submission asks for its own; NORMAL by default. */
  livingPriority?: LivingPriority;
  /** TLS and the cluster's secret, to reach a secured job manager; plaintext without credentials when not given. */
  security?: ClientSecurity;
  /**
   * True for a driver's submitter: each submission carries its ordinal (1, 2, …, in the order
   * `submit` is called), by which a later driver attempt's submission is matched to the record.
   */
  numberSubmissions?: boolean;
}

/** Submits jobs to one Dispatcher. */
export class DispatcherJobSubmitter implements JobSubmitter {
  private readonly channel: Channel;
  private readonly client: DispatcherServiceClient;
  private submissions = 0;

  constructor(private readonly options: DispatcherJobSubmitterOptions) {
    ({ channel: this.channel, client: this.client } = connectClient(
      DispatcherServiceDefinition,
      options.address,
      options.security,
    ));
  }

  async submit(graph: JobGraph, options?: JobSubmitOptions): Promise<SubmittedJob> {
    const driverOrdinal = this.options.numberSubmissions ? ++this.submissions : 0;
    const { jobId } = await this.call(() =>
      this.client.submitJob({
        jobGraph: jobGraphToMessage(graph),
        livingPriority: livingPriorityToMessage(options?.livingPriority ?? this.options.livingPriority ?? 'NORMAL'),
        applicationId: this.options.applicationId ?? '',
        requestId: '',
        driverOrdinal,
        driverReplay: undefined,
      }),
    );
    return {
      jobId,
      getJobStatus: async () => {
        const { job } = await this.call(() => this.client.getJob({ jobId }));
        return jobStatusFromMessage(job!.status, 'job.status');
      },
      cancel: async () => {
        await this.call(() => this.client.cancelJob({ jobId }));
      },
      getJobResult: () => this.call(() => this.requestJobResult(jobId)),
    };
  }

  /** Closes the connection. */
  close(): void {
    this.channel.close();
  }

  private requestJobResult(jobId: string): Promise<JobResultWithRecords> {
    return readJobResultStream(
      this.client.requestJobResult({ jobId }),
      jobId,
      `the job manager at ${this.options.address}`,
    );
  }

  private async call<T>(invoke: () => Promise<T>): Promise<T> {
    try {
      return await invoke();
    } catch (error) {
      if (!(error instanceof ClientError)) throw error;
      if (error.code === Status.UNAVAILABLE)
        throw new UnavailableError(`cannot reach the job manager at ${this.options.address}: ${error.details}`);
      throw domainErrorOf(error.code, error.details);
    }
  }
}
