/**
 * What the control plane knows of an application's jobs from the events it relayed, and the final
 * status they imply. The cluster's Dispatcher reports an application's final status itself
 * (FLIP-40); this is the fallback for when it cannot: a job manager that exits before the report
 * reached the control plane, or one of a version that does not send it. The driver decides the
 * outcome, and only once it and every other DRIVER or NORMAL job has ended (daemon jobs never
 * keep an application alive). In session and per-job modes no cluster sees the whole application:
 * `main()` runs in the client, and its reported end (CompleteClientMain) stands in for the driver
 * job, so the same rules give the application's only outcome.
 */
import { isTerminalJobStatus, type JobStatus, type LivingPriority, type SerializedError } from '../../common/status.js';
import type { JobStatusChanged } from './ApplicationEvent.js';

/** One job as last seen. */
export interface TrackedJob {
  jobId: string;
  jobName: string;
  status: JobStatus;
  livingPriority: LivingPriority;
  failure?: SerializedError;
}

/** The final status the jobs imply. */
export interface ImpliedOutcome {
  status: 'FINISHED' | 'FAILED' | 'CANCELED';
  /** The driver job that decided it, when a driver job did (not a client-side main()). */
  driverJobId?: string;
  failure?: SerializedError;
  message: string;
}

/** The jobs of one application. */
export class ApplicationJobs {
  private readonly jobs = new Map<string, TrackedJob>();
  private clientMain: { status: 'FINISHED' | 'FAILED'; failure?: SerializedError } | undefined;

  /** Takes in the end of a client-side `main()`: it returned, or threw `failure`. */
  clientMainEnded(failure?: SerializedError): void {
    this.clientMain = failure ? { status: 'FAILED', failure } : { status: 'FINISHED' };
  }

  /** The jobs that have not ended. */
  get active(): TrackedJob[] {
    return [...this.jobs.values()].filter((job) => !isTerminalJobStatus(job.status));
  }

  /** Takes in a job status change. */
  observe(event: JobStatusChanged): void {
    const known = this.jobs.get(event.jobId);
    // A terminal status is final; an out-of-date event must not revive the job.
    if (known && isTerminalJobStatus(known.status)) return;
    this.jobs.set(event.jobId, {
      jobId: event.jobId,
      jobName: event.jobName,
      status: event.status,
      livingPriority: event.livingPriority,
      failure: event.failure,
    });
  }

  /** The driver job, once seen: the newest one, which is the current driver attempt's. */
  get driver(): TrackedJob | undefined {
    return [...this.jobs.values()].findLast((job) => job.livingPriority === 'DRIVER');
  }

  /** The outcome the jobs imply, or undefined while the driver or another DRIVER/NORMAL job has not ended. */
  impliedOutcome(): ImpliedOutcome | undefined {
    const driver = this.decidingDriver();
    if (!driver || !isTerminalJobStatus(driver.status)) return undefined;
    const pending = [...this.jobs.values()].filter(
      (job) => job.livingPriority !== 'DAEMON' && !isTerminalJobStatus(job.status),
    );
    if (pending.length > 0) return undefined;
    switch (driver.status) {
      case 'FINISHED':
        return { status: 'FINISHED', message: `${driver.name} finished and every job of the application ended` };
      case 'CANCELED':
        return { status: 'CANCELED', message: `${driver.name} was cancelled` };
      default:
        return {
          status: 'FAILED',
          driverJobId: this.clientMain ? undefined : this.driver?.jobId,
          failure: driver.failure ?? { name: 'DriverFailedError', message: `${driver.name} failed`, stack: '' },
          message: `${driver.name} failed${driver.failure ? `: ${driver.failure.message}` : ''}`,
        };
    }
  }

  /** What decides the outcome: the driver job, or a client-side main() once it ended. */
  private decidingDriver(): { name: string; status: JobStatus; failure?: SerializedError } | undefined {
    if (this.clientMain) return { name: 'main() in the client', ...this.clientMain };
    const driver = this.driver;
    return driver && { name: `the driver job ${driver.jobId}`, status: driver.status, failure: driver.failure };
  }
}
