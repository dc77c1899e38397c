/**
 * The jobs table of `flotilla status` and `flotilla jobs`: one row per job, its status, restarts,
 * tasks by state and living priority (a DAEMON job is cancelled when the application's other jobs
 * end, so its CANCELED needs the priority beside it to be read right).
 */
import type { JobSummary } from '../../../generated/flotilla/v1/resources.js';
import { ExecutionState, JobStatus, LivingPriority } from '../../../generated/flotilla/v1/status.js';
import { formatTable } from './formatTable.js';

/** The jobs as a table; `wide` adds the cluster, application, times and failure. */
export function formatJobTable(jobs: readonly JobSummary[], wide: boolean): string {
  const headers = ['ID', 'NAME', 'STATUS', 'RESTARTS', 'TASKS', 'PRIORITY'];
  if (wide) headers.push('APPLICATION', 'CLUSTER', 'SUBMITTED', 'ENDED', 'FAILURE');
  return formatTable(
    headers,
    jobs.map((job) => {
      const row = [
        job.id,
        job.name,
        JobStatus[job.status] ?? '',
        String(job.restarts),
        taskCountsOf(job),
        LivingPriority[job.livingPriority] ?? '',
      ];
      if (wide) {
        row.push(
          job.applicationId,
          job.clusterId,
          job.submitTime?.toISOString() ?? '',
          job.endTime?.toISOString() ?? '',
          job.failure ? `${job.failure.name}: ${job.failure.message}` : '',
        );
      }
      return row;
    }),
  );
}

/** "RUNNING=2,FINISHED=3": the job's tasks by execution state (one word, for awk), or "-" when it has none yet. */
export function taskCountsOf(job: JobSummary): string {
  const counts = job.taskCounts.filter((count) => count.count > 0);
  if (counts.length === 0) return '-';
  return counts.map((count) => `${ExecutionState[count.state] ?? count.state}=${count.count}`).join(',');
}
