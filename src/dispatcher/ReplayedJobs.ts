/**
 * The jobs a later driver attempt was answered for from the control plane's record (replay): they
 * FINISHED in an earlier attempt, perhaps on a cluster that is gone, and run no more. The Dispatcher
 * answers GetJob and RequestJobResult for them from here, with the recorded result and collected
 * records, so that the driver's JobClient sees them as it saw them the first time. Bounded: the
 * oldest are forgotten past `max`.
 */
import type { JobResult } from './JobResult.js';
import type { JobSummary } from './JobSummary.js';
import type { RecordedSubmission } from './DriverReplay.js';

/** A job answered from the record. */
export interface ReplayedJob {
  summary: JobSummary;
  result: JobResult;
}

/** The replayed jobs of one cluster. */
export class ReplayedJobs {
  private readonly jobs = new Map<string, ReplayedJob>();

  constructor(private readonly max: number) {}

  /** Keeps `recorded` (which has a result) as a job of `applicationId` on cluster `clusterId`; returns it. */
  add(recorded: RecordedSubmission & { result: JobResult }, applicationId: string, clusterId: string): ReplayedJob {
    const now = new Date();
    const job: ReplayedJob = {
      summary: {
        id: recorded.jobId,
        name: recorded.jobName,
        status: recorded.result.status,
        livingPriority: 'NORMAL',
        applicationId,
        clusterId,
        submitTime: now,
        endTime: now,
        restarts: 0,
        taskCounts: [],
      },
      result: recorded.result,
    };
    this.jobs.delete(recorded.jobId);
    this.jobs.set(recorded.jobId, job);
    for (const oldest of this.jobs.keys()) {
      if (this.jobs.size <= this.max) break;
      this.jobs.delete(oldest);
    }
    return job;
  }

  /** The replayed job `jobId`, if it is one. */
  get(jobId: string): ReplayedJob | undefined {
    return this.jobs.get(jobId);
  }
}
