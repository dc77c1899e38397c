/**
 * One human line per application event, for `flotilla run --follow` and `flotilla watch`. Task
 * events are summarised: only failures are shown, since a job's status already says how it goes.
 */
import { DriverReplayKind, type ApplicationEvent, type JobStatusChanged } from '../../generated/flotilla/v1/events.js';
import { ApplicationStatus, ClusterStatus, ExecutionState, JobStatus } from '../../generated/flotilla/v1/status.js';

/** The line for `event`, or undefined when it is not worth a line. */
export function describeEvent(event: ApplicationEvent): string | undefined {
  const kind = event.kind;
  switch (kind?.$case) {
    case 'applicationStatusChanged': {
      const { status, failure, message } = kind.applicationStatusChanged;
      const cause = failure ? `: ${failure.name}: ${failure.message}` : message ? `: ${message}` : '';
      return `application ${ApplicationStatus[status]}${cause}`;
    }
    case 'clusterStatusChanged': {
      const { clusterId, status, jobmanagerAddress, message, registeredTaskExecutors, taskExecutors } =
        kind.clusterStatusChanged;
      const where = status === ClusterStatus.RUNNING && jobmanagerAddress ? ` at ${jobmanagerAddress}` : '';
      // While it deploys, how many task executors are ready (events recorded before the count was kept have none).
      const ready =
        status === ClusterStatus.DEPLOYING && taskExecutors > 0
          ? `, ${readiness(registeredTaskExecutors, taskExecutors)}`
          : '';
      return `cluster ${clusterId} ${ClusterStatus[status]}${where}${ready}${message ? ` (${message})` : ''}`;
    }
    case 'jobStatusChanged': {
      const { jobId, jobName, status, failure } = kind.jobStatusChanged;
      return `job "${jobName}" (${jobId}) ${JobStatus[status]}${failure && status === JobStatus.FAILED ? `: ${failure.message}` : ''}${replayNote(kind.jobStatusChanged)}`;
    }
    case 'taskStateChanged': {
      const task = kind.taskStateChanged;
      if (task.state !== ExecutionState.FAILED) return undefined;
      return `task ${task.vertexName} (${task.subtaskIndex + 1}) of job ${task.jobId} FAILED: ${task.failure?.message ?? 'no cause given'}`;
    }
    case 'applicationSavepointCompleted': {
      const { savepoint, message } = kind.applicationSavepointCompleted;
      const jobs = savepoint?.jobs.map((job) => `"${job.jobName}" ${job.path}`).join(', ') ?? '';
      return `${message}${jobs ? ` (${jobs})` : ''}`;
    }
    default:
      return undefined;
  }
}

/** How a later driver attempt's submission was answered, as a note after the job's status: " (submission 2 of attempt 2: replayed from attempt 1's record)". */
function replayNote(event: JobStatusChanged): string {
  if (event.replay === DriverReplayKind.UNSPECIFIED || event.driverOrdinal === 0) return '';
  const from = `attempt ${event.replayedAttempt}`;
  const how =
    event.replay === DriverReplayKind.REPLAYED
      ? `replayed from ${from}'s record, not run again`
      : event.replay === DriverReplayKind.ATTACHED
        ? `attached to ${from}'s job`
        : `${from}'s job was lost with its cluster; it runs again`;
  return ` (submission ${event.driverOrdinal} of driver attempt ${event.driverAttempt}: ${how})`;
}

/** A cluster's readiness as the CLI shows it: "ready 1/2 task executors". */
export function readiness(registered: number, total: number): string {
  return `ready ${registered}/${total} task executors`;
}

/** Whether `event` is the application's last: it reached FINISHED, FAILED or CANCELED. */
export function terminalStatusOf(event: ApplicationEvent): ApplicationStatus | undefined {
  if (event.kind?.$case !== 'applicationStatusChanged') return undefined;
  const { status } = event.kind.applicationStatusChanged;
  return status === ApplicationStatus.FINISHED ||
    status === ApplicationStatus.FAILED ||
    status === ApplicationStatus.CANCELED
    ? status
    : undefined;
}
