/**
 * One application run in driver mode on this cluster, and FLIP-40's DriverDispatcher rules for it.
 * The application's status is derived from its jobs' living priorities and statuses:
 *
 * 1. every job of the application is tracked with its living priority and status;
 * 2. once no DRIVER or NORMAL job is left pending or running, the application is over: its DAEMON
 *    jobs are cancelled, then it is FINISHED;
 * 3. when the DRIVER job fails, every other job is cancelled and the application is FAILED with
 *    the driver's failure ({@link applicationFailureOf});
 * 4. so `main()` returning while `executeAsync()` jobs still run keeps it RUNNING until they end
 *    (whatever they end with: a job main() did not wait for does not decide the application);
 * 5. when the DRIVER job is cancelled, or the application is, every other job is cancelled and the
 *    application is CANCELED.
 *
 * In application mode the DRIVER job is the application's main job, whose `main()` runs in the job
 * manager process instead of a task; the same rules apply to it.
 *
 * Each change is recorded as an event: RUNNING once `main()` runs, FAILING or CANCELING
 * when the end begins, and the terminal status only after every cancelled job has ended. An
 * application that is ending or over accepts no more jobs, so none escapes the cancellation.
 */
import type { Logger } from '../common/logger.js';
import { isTerminalJobStatus, type JobStatus, type LivingPriority, type SerializedError } from '../common/status.js';
import { applicationFailureOf, DRIVER_LOST_ERROR } from './applicationFailureOf.js';
import { isTerminalApplicationStatus, type ApplicationStatus } from '../common/status.js';
import type { ApplicationStatusChanged } from '../runtime/JobEvent.js';
import { serializeError } from '../common/status.js';
import { attemptsRemain, missingSubmission, type DriverReplay } from './DriverReplay.js';
import type { ApplicationRestoreClaims } from './ApplicationRestoreClaims.js';

/** A job of the application, as the rules see it. */
export interface ApplicationJob {
  jobId: string;
  livingPriority: LivingPriority;
  status: JobStatus;
}

/** An application as GetApplication-like answers show it. */
export interface ApplicationSummary {
  applicationId: string;
  /** The job that runs the application's `main()`. */
  driverJobId: string;
  status: ApplicationStatus;
  /** Why the application fails or failed. */
  failure?: SerializedError;
  /** The application's jobs (the driver job included), in submission order. */
  jobs: ApplicationJob[];
}

/** What an application is made of, and what it does to the cluster. */
export interface DriverApplicationOptions {
  applicationId: string;
  driverJobId: string;
  /** Cancels a job of the application; resolves once the job has ended. */
  cancelJob(jobId: string): Promise<unknown>;
  /** Records a status change of the application in the cluster's event log. */
  record(change: ApplicationStatusChanged): void;
  /** Called once, after the terminal status was recorded. */
  onEnded(application: DriverApplication): void;
  /** True when `main()` runs in the job manager process (application mode) rather than in a driver job's task. */
  mainInJobManager?: boolean;
  /** The driver attempt this driver is, and what the earlier attempts submitted (replay); undefined for a driver without attempts. */
  replay?: DriverReplay;
  /** The savepoints the jobs `main()` submits restore from (`run -s/-r`), claimed by job name. */
  restore?: ApplicationRestoreClaims;
  logger: Logger;
}

/** An application with a driver job, and its status. */
export class DriverApplication {
  readonly applicationId: string;
  readonly driverJobId: string;
  private current: ApplicationStatus = 'CREATED';
  private failure: SerializedError | undefined;
  private readonly jobs = new Map<string, ApplicationJob>();
  private ending = false;
  /** The highest ordinal the driver submitted at so far. */
  private submissions = 0;
  private readonly logger: Logger;

  constructor(private readonly options: DriverApplicationOptions) {
    this.applicationId = options.applicationId;
    this.driverJobId = options.driverJobId;
    this.logger = options.logger.child({ applicationId: options.applicationId });
  }

  /** The application's status now; CREATED until its driver runs (CREATED is never recorded). */
  get status(): ApplicationStatus {
    return this.current;
  }

  /** Whether the application reached its terminal status. */
  get isOver(): boolean {
    return isTerminalApplicationStatus(this.current);
  }

  /** Whether the application takes new jobs: it is neither ending nor over. */
  get acceptsJobs(): boolean {
    return !this.ending;
  }

  /** The savepoints the jobs of the application restore from, when it restores any. */
  get restore(): ApplicationRestoreClaims | undefined {
    return this.options.restore;
  }

  /** The driver attempt and the record of the earlier ones, when the control plane gave them. */
  get replay(): DriverReplay | undefined {
    return this.options.replay;
  }

  /** Whether the driver job has ended (the application may still be ending). */
  get driverEnded(): boolean {
    const driver = this.jobs.get(this.driverJobId);
    return driver !== undefined && isTerminalJobStatus(driver.status);
  }

  /** The driver made its submission at `ordinal` (answered from the record or not). */
  submissionMade(ordinal: number): void {
    this.submissions = Math.max(this.submissions, ordinal);
  }

  /** Fails the application with `failure` (a driver that left its replayed path), cancelling its jobs. */
  fail(failure: SerializedError): void {
    if (!this.ending) void this.end('FAILED', `${failure.name}: ${failure.message}`, failure);
  }

  /** The application as answers show it. */
  summary(): ApplicationSummary {
    return {
      applicationId: this.applicationId,
      driverJobId: this.driverJobId,
      status: this.current,
      ...(this.failure ? { failure: this.failure } : {}),
      jobs: [...this.jobs.values()].map((job) => ({ ...job })),
    };
  }

  /** Tracks a job of the application (the driver job, or one submitted before or after it). */
  jobSubmitted(job: ApplicationJob): void {
    this.jobs.set(job.jobId, { ...job });
  }

  /** `main()` runs now, `where` ("task executor te-1", "the job manager (pid 12)"): the application is RUNNING. */
  driverRunning(where: string): void {
    if (this.current !== 'CREATED' || this.ending) return;
    this.transition('RUNNING', `main() is running in ${where}`);
  }

  /** Applies a job's new status to the rules. */
  jobStatusChanged(jobId: string, status: JobStatus, failure?: SerializedError): void {
    const job = this.jobs.get(jobId);
    if (!job) return;
    job.status = status;
    if (this.ending) return;
    if (jobId === this.driverJobId && status === 'FAILED') {
      const cause = applicationFailureOf(failure);
      const failed = this.options.mainInJobManager ? 'main() failed in the job manager' : 'the driver failed';
      // A lost driver's jobs run on while attempts remain: the next attempt attaches to them.
      const keepJobs = cause.name === DRIVER_LOST_ERROR && attemptsRemain(this.options.replay);
      void this.end(
        'FAILED',
        cause.name === DRIVER_LOST_ERROR
          ? `${cause.message}${keepJobs ? '; its jobs run on for the next driver attempt' : ''}`
          : `${failed}: ${cause.name}: ${cause.message}`,
        cause,
        keepJobs,
      );
    } else if (
      jobId === this.driverJobId &&
      status === 'FINISHED' &&
      missingSubmission(this.replay, this.submissions)
    ) {
      this.fail(serializeError(missingSubmission(this.replay, this.submissions)));
    } else if (jobId === this.driverJobId && status === 'CANCELED') {
      void this.end(
        'CANCELED',
        this.options.mainInJobManager ? 'the main job was cancelled' : 'the driver job was cancelled',
      );
    } else if (!this.hasLivingJobs()) {
      void this.end('FINISHED', 'main() returned and every job of the application ended');
    }
  }

  /** Cancels the application: every job of it, the driver's included; it ends CANCELED. */
  cancel(reason = 'the application was cancelled'): void {
    if (!this.ending) void this.end('CANCELED', reason);
  }

  /** Whether a DRIVER or NORMAL job of the application is pending or running. */
  private hasLivingJobs(): boolean {
    return [...this.jobs.values()].some((job) => job.livingPriority !== 'DAEMON' && !isTerminalJobStatus(job.status));
  }

  /** Cancels every job that has not ended, waits for them, then records the terminal status. */
  private async end(
    status: 'FINISHED' | 'FAILED' | 'CANCELED',
    message: string,
    failure?: SerializedError,
    keepJobs = false,
  ): Promise<void> {
    this.ending = true;
    const living = keepJobs
      ? []
      : [...this.jobs.values()].filter((job) => !isTerminalJobStatus(job.status)).map((job) => job.jobId);
    const cancelling =
      living.length === 0
        ? ''
        : `; cancelling ${living.length} ${living.length === 1 ? 'job' : 'jobs'} of the application`;
    if (status === 'FAILED') this.transition('FAILING', `${message}${cancelling}`, failure);
    if (status === 'CANCELED') this.transition('CANCELING', `${message}${cancelling}`);
    await Promise.all(
      living.map((jobId) =>
        this.options
          .cancelJob(jobId)
          .catch((error: unknown) =>
            this.logger.error({ err: error, jobId }, 'cancelling a job of the application failed'),
          ),
      ),
    );
    this.transition(status, status === 'FINISHED' ? `${message} (${this.describeJobs()})` : message, failure);
    this.options.onEnded(this);
  }

  /** The application's jobs other than the driver's, by living priority and status: "jobs: 2 FINISHED, 1 FAILED; daemon jobs: 1 CANCELED". */
  private describeJobs(): string {
    const parts: string[] = [];
    for (const [label, daemon] of [
      ['jobs', false],
      ['daemon jobs', true],
    ] as const) {
      const counts = new Map<JobStatus, number>();
      for (const job of this.jobs.values()) {
        if (job.jobId !== this.driverJobId && (job.livingPriority === 'DAEMON') === daemon)
          counts.set(job.status, (counts.get(job.status) ?? 0) + 1);
      }
      if (counts.size > 0)
        parts.push(`${label}: ${[...counts].map(([status, count]) => `${count} ${status}`).join(', ')}`);
    }
    return parts.length === 0 ? 'it submitted no jobs' : parts.join('; ');
  }

  private transition(status: ApplicationStatus, message: string, failure?: SerializedError): void {
    this.current = status;
    if (failure) this.failure = failure;
    this.options.record({
      type: 'applicationStatusChanged',
      status,
      ...(failure ? { failure } : {}),
      message,
      driverJobId: this.driverJobId,
    });
    if (status === 'FAILED' || status === 'FAILING')
      this.logger.warn({ status, cause: failure?.message }, `application ${status}: ${message}`);
    else this.logger.info({ status }, `application ${status}: ${message}`);
  }
}
