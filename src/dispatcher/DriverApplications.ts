/**
 * The driver-mode applications of one cluster (FLIP-40's DriverDispatcher, kept beside the
 * Dispatcher rather than as a kind of it, so that the same cluster runs plain jobs, several
 * applications, or both). An application exists here from the submission of its DRIVER job; jobs
 * with the same application id are routed to it, whether submitted before the driver, by the
 * driver's `main()`, or by anyone else. Each application's rules apply to its own jobs only, so
 * applications on a shared cluster never end each other.
 */
import type { ApplicationRestoreClaims } from './ApplicationRestoreClaims.js';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { JobStatus, LivingPriority, SerializedError } from '../common/status.js';
import { DriverApplication, type ApplicationJob } from './DriverApplication.js';
import type { ApplicationStatusChanged } from '../runtime/JobEvent.js';
import type { DriverReplay } from './DriverReplay.js';

/** A job as the registry is told about it. */
export interface ApplicationJobRef {
  jobId: string;
  applicationId: string;
  livingPriority: LivingPriority;
  /** True for a DRIVER job that stands for `main()` running in the job manager process (application mode). */
  mainInJobManager?: boolean;
  /** For a DRIVER job: its attempt and the record of the earlier ones. */
  replay?: DriverReplay;
  /** For a DRIVER job: the savepoints the jobs its `main()` submits restore from. */
  restore?: ApplicationRestoreClaims;
}

/** What the applications do to the cluster. */
export interface DriverApplicationsOptions {
  /** Cancels a job; resolves once it has ended. */
  cancelJob(jobId: string): Promise<unknown>;
  /** Records a status change of `application` in the cluster's event log. */
  record(application: DriverApplication, change: ApplicationStatusChanged): void;
  /** Called once an application reached its terminal status. */
  onEnded(application: DriverApplication): void;
  logger: Logger;
}

/** The applications of a cluster that have a driver job. */
export class DriverApplications {
  private readonly applications = new Map<string, DriverApplication>();

  constructor(private readonly options: DriverApplicationsOptions) {}

  /**
   * Checks that a job may be submitted: a DRIVER job needs an application id and must be its
   * application's only running one (a later driver attempt is admitted once the earlier one's
   * application is over); a job of an application that is ending or over is refused.
   *
   * @throws InvalidArgumentError for a DRIVER job without an application id.
   * @throws FailedPreconditionError for a second DRIVER job, or a job of an application that ends.
   */
  admit(applicationId: string, livingPriority: LivingPriority): void {
    if (livingPriority === 'DRIVER' && applicationId === '') {
      throw new InvalidArgumentError('a DRIVER job needs an application_id: the application whose main() it runs');
    }
    const application = this.applications.get(applicationId);
    // A driver attempt after one whose driver ended here (lost): it starts the application anew, even while the earlier one still ends.
    if (
      !application ||
      (livingPriority === 'DRIVER' && (application.isOver || (application.driverEnded && !application.acceptsJobs)))
    )
      return;
    if (livingPriority === 'DRIVER') {
      throw new FailedPreconditionError(
        `application ${applicationId} already has a driver job (${application.driverJobId}); an application runs one driver`,
      );
    }
    if (!application.acceptsJobs) {
      throw new FailedPreconditionError(
        `application ${applicationId} is ${application.status} and accepts no more jobs`,
      );
    }
  }

  /**
   * Tracks a submitted job. A DRIVER job creates its application, which also tracks `earlierJobs`:
   * the jobs of the same application id submitted before it.
   */
  jobSubmitted(job: ApplicationJobRef, earlierJobs: () => Iterable<ApplicationJob> = () => []): void {
    if (job.applicationId === '') return;
    if (job.livingPriority !== 'DRIVER') {
      this.applications
        .get(job.applicationId)
        ?.jobSubmitted({ jobId: job.jobId, livingPriority: job.livingPriority, status: 'CREATED' });
      return;
    }
    const application: DriverApplication = new DriverApplication({
      applicationId: job.applicationId,
      driverJobId: job.jobId,
      cancelJob: this.options.cancelJob,
      record: (change) => this.options.record(application, change),
      onEnded: this.options.onEnded,
      mainInJobManager: job.mainInJobManager,
      replay: job.replay,
      restore: job.restore,
      logger: this.options.logger,
    });
    for (const earlier of earlierJobs()) application.jobSubmitted(earlier);
    application.jobSubmitted({ jobId: job.jobId, livingPriority: 'DRIVER', status: 'CREATED' });
    this.applications.set(job.applicationId, application);
  }

  /** Applies a job's new status to its application's rules. */
  jobStatusChanged(job: ApplicationJobRef, status: JobStatus, failure?: SerializedError): void {
    if (job.applicationId !== '')
      this.applications.get(job.applicationId)?.jobStatusChanged(job.jobId, status, failure);
  }

  /** Notes that a task of a job runs: the driver's task running makes its application RUNNING. */
  taskRunning(job: ApplicationJobRef, taskExecutorId: string): void {
    const application = this.ofDriverJob(job.jobId, job.applicationId);
    application?.driverRunning(`task executor ${taskExecutorId}`);
  }

  /** Notes that the `main()` a main job stands for runs in the job manager: its application is RUNNING. */
  mainRunning(job: ApplicationJobRef, where: string): void {
    this.ofDriverJob(job.jobId, job.applicationId)?.driverRunning(where);
  }

  /** The application of `applicationId` with a driver job here, if any. */
  find(applicationId: string): DriverApplication | undefined {
    return this.applications.get(applicationId);
  }

  /** An application; NOT_FOUND when no driver job of it was submitted here (or it was forgotten). */
  get(applicationId: string): DriverApplication {
    const application = this.applications.get(applicationId);
    if (!application) {
      throw new NotFoundError(
        `application ${JSON.stringify(applicationId)} has no driver job in this cluster (it never ran here in driver mode, or ended long enough ago to be forgotten)`,
      );
    }
    return application;
  }

  /** The application whose driver job `jobId` is, if it is one. */
  ofDriverJob(jobId: string, applicationId: string): DriverApplication | undefined {
    const application = this.applications.get(applicationId);
    return application?.driverJobId === jobId ? application : undefined;
  }

  /** Forgets the application of a driver job that is being forgotten. */
  forgetDriverJob(jobId: string, applicationId: string): void {
    if (this.ofDriverJob(jobId, applicationId)?.isOver) this.applications.delete(applicationId);
  }
}
