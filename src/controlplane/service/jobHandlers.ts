/**
 * The job RPCs of ClusterClientService (SubmitJob, GetJob, ListJobs, CancelJob, RequestJobResult),
 * CompleteClientMain and ReportClientHeartbeat: what a client-side main() (session and per-job modes) calls, and how
 * anyone looks at the jobs of any application. Proto in, domain call, proto out.
 */
import type { CallContext } from 'nice-grpc-common';
import type { ClusterClientServiceImplementation } from '../../../generated/flotilla/v1/cluster_client_service.js';
import type { JobSummary as JobSummaryMessage } from '../../../generated/flotilla/v1/resources.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { jobGraphFromMessage } from '../../runtime/service/jobGraph.js';
import { jobSummaryToMessage } from '../../dispatcher/service/jobSummary.js';
import { serializedErrorFromMessage } from '../../rpc/convert/status.js';
import { callerOf } from '../../rpc/security/Caller.js';
import type { TenantViews } from '../tenants/TenantView.js';
import type { Job } from '../model/Job.js';
import { applicationToMessage } from './applicationMessages.js';
import { jobResultPartMessage } from './relayedJobResultPart.js';

type JobRpcs = Pick<
  ClusterClientServiceImplementation<CallContext>,
  | 'submitJob'
  | 'getJob'
  | 'listJobs'
  | 'cancelJob'
  | 'requestJobResult'
  | 'completeClientMain'
  | 'reportClientHeartbeat'
>;

/** The job RPCs over the caller's tenant's view. */
export function jobHandlers(views: TenantViews): JobRpcs {
  return {
    async submitJob(request, context) {
      if (!request.jobGraph)
        throw new InvalidArgumentError('job_graph is required: the job to run, as the SDK builds it');
      const graph = jobGraphFromMessage(request.jobGraph);
      return views(callerOf(context).tenant).submitJob({
        applicationId: required(request.applicationId, 'application_id'),
        graph,
        requestId: request.requestId,
      });
    },

    async getJob(request, context) {
      return { job: jobToMessage(await views(callerOf(context).tenant).getJob(required(request.jobId, 'job_id'))) };
    },

    async listJobs(request, context) {
      const page = await views(callerOf(context).tenant).listJobs({
        pageSize: request.pageSize,
        pageToken: request.pageToken,
        applicationId: request.applicationId,
        clusterId: request.clusterId,
      });
      return { jobs: page.jobs.map(jobToMessage), nextPageToken: page.nextPageToken };
    },

    async cancelJob(request, context) {
      return { job: jobToMessage(await views(callerOf(context).tenant).cancelJob(required(request.jobId, 'job_id'))) };
    },

    async *requestJobResult(request, context) {
      for await (const part of views(callerOf(context).tenant).jobResult(
        required(request.jobId, 'job_id'),
        context.signal,
      ))
        yield { part: jobResultPartMessage(part) };
    },

    async reportClientHeartbeat(request, context) {
      const { timeoutMs, application } = await views(callerOf(context).tenant).clientHeartbeat(
        required(request.applicationId, 'application_id'),
      );
      return { timeoutMs: BigInt(timeoutMs), status: applicationToMessage(application).status };
    },

    async completeClientMain(request, context) {
      const application = await views(callerOf(context).tenant).completeClientMain(
        required(request.applicationId, 'application_id'),
        serializedErrorFromMessage(request.failure),
      );
      return { application: applicationToMessage(application) };
    },
  };
}

/** A job as `flotilla.v1.JobSummary`; the control plane does not count task states (GetJob of the cluster's Dispatcher does). */
function jobToMessage(job: Job): JobSummaryMessage {
  return jobSummaryToMessage({
    id: job.id,
    name: job.name,
    status: job.status,
    livingPriority: job.livingPriority,
    applicationId: job.applicationId,
    clusterId: job.clusterId,
    submitTime: job.createTime,
    endTime: job.endTime,
    failure: job.failure,
    restarts: job.restarts,
    taskCounts: [],
  });
}

function required(value: string, field: string): string {
  if (!value) throw new InvalidArgumentError(`${field} is required`);
  return value;
}
