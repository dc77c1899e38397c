/**
 * The two ends of a relayed job result part: the gateways wrap the cluster's message into the
 * domain's opaque {@link JobResultPart}, and the ClusterClientService opens it again to send it on.
 * The control plane never reads the records of a collect() sink, so nothing in between needs the
 * contract's types.
 */
import type { CollectedRecords } from '../../../generated/flotilla/v1/common.js';
import type { JobResult } from '../../../generated/flotilla/v1/job_graph.js';
import type { JobResultPart } from '../clusters/DispatcherGateway.js';
import type { JobResultAnswer } from '../jobs/JobDirectory.js';
import type { Job } from '../model/Job.js';
import { jobStatusToMessage, serializedErrorToMessage } from '../../rpc/convert/status.js';

/** A part of a job's result as the contract spells it. */
export type JobResultPartMessage =
  { $case: 'collected'; collected: CollectedRecords } | { $case: 'result'; result: JobResult };

/** Wraps a part the cluster sent for the domain to pass on. */
export function relayJobResultPart(part: JobResultPartMessage): JobResultPart {
  return part as unknown as JobResultPart;
}

/** Opens a part the domain passed on, or makes the result of a job its store kept, to send it to the caller. */
export function jobResultPartMessage(answer: JobResultAnswer): JobResultPartMessage {
  if (answer.$case === 'stored') return { $case: 'result', result: storedResult(answer.job) };
  return answer as unknown as JobResultPartMessage;
}

/** The result of an ended job whose cluster is gone: its status and failure, without records. */
function storedResult(job: Job): JobResult {
  return {
    jobId: job.id,
    status: jobStatusToMessage(job.status),
    failure: job.failure && serializedErrorToMessage(job.failure),
    durationMs: BigInt(Math.max(0, (job.endTime ?? job.createTime).getTime() - job.createTime.getTime())),
    collectedRecords: 0n,
  };
}
