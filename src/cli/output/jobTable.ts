/** The jobs table of `flotilla status` and `flotilla jobs`: one row per job, its status, restarts and tasks by state. */
import type { JobSummary } from '../../../generated/flotilla/v1/resources.js';
import { ExecutionState, JobStatus, LivingPriority } from '../../../generated/flotilla/v1/status.js';
import { formatTable } from './formatTable.js';

/** The jobs as a table; `wide` adds the priority, cluster, application and times. */
export function formatJobTable(jobs: readonly JobSummary[], wide: boolean): string {
  const headers = ['ID', 'NAME', 'STATUS', 'RESTARTS', 'TASKS'];
  if (wide) headers.push('PRIORITY', 'APPLICATION', 'CLUSTER', 'SUBMITTED', 'ENDED', 'FAILURE');
  return formatTable(
    headers,
    jobs.map((job) => {
      const row = [job.id, job.name, JobStatus[job.status] ?? '', String(job.restarts), taskCountsOf(job)];
      if (wide) {
        row.push(
          LivingPriority[job.livingPriority] ?? '',
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
