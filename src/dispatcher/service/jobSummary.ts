/** Converts the Dispatcher's job summaries to `flotilla.v1.JobSummary` (the job manager only sends them). */
import type { JobSummary as JobSummaryMessage } from '../../../generated/flotilla/v1/resources.js';
import type { JobSummary } from '../JobSummary.js';
import {
  executionStateToMessage,
  jobStatusToMessage,
  livingPriorityToMessage,
  serializedErrorToMessage,
} from '../../rpc/convert/status.js';

/** A domain job summary as its proto message. */
export function jobSummaryToMessage(summary: JobSummary): JobSummaryMessage {
  return {
    id: summary.id,
    name: summary.name,
    status: jobStatusToMessage(summary.status),
    livingPriority: livingPriorityToMessage(summary.livingPriority),
    applicationId: summary.applicationId,
    clusterId: summary.clusterId,
    submitTime: summary.submitTime,
    endTime: summary.endTime,
    failure: summary.failure && serializedErrorToMessage(summary.failure),
    restarts: summary.restarts,
    taskCounts: summary.taskCounts.map(({ state, count }) => ({ state: executionStateToMessage(state), count })),
  };
}
