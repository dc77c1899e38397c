/**
 * Savepoints of whole applications (`flotilla savepoint`, `flotilla stop --savepoint`): the control
 * plane knows every job of an application, so it asks each job's cluster for a savepoint of it
 * (DispatcherService.TriggerSavepoint, stop-with-savepoint for a stop), all into one new folder,
 * and then writes the folder's `_application` manifest naming each job's savepoint under its name
 * within the application. The savepoint is recorded as the application's latest and as an event.
 * Its folder must be reachable by the control plane and the clusters alike (savepointDirectory.ts).
 */
import { FailedPreconditionError, FlotillaError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { isTerminalJobStatus } from '../../common/status.js';
import type { ClusterManager } from '../clusters/ClusterManager.js';
import type { ApplicationEventLog } from '../events/ApplicationEventLog.js';
import type { Application } from '../model/Application.js';
import {
  jobNameWithinApplication,
  type ApplicationSavepoint,
  type JobSavepoint,
} from '../model/ApplicationSavepoint.js';
import { isTerminalApplicationStatus } from '../model/ApplicationStatus.js';
import type { Job } from '../model/Job.js';
import type { ControlPlaneStore } from '../store/ControlPlaneStore.js';
import { makeApplicationSavepointFolder, writeApplicationManifest } from './applicationSavepointManifest.js';
import { savepointDirectoryOf } from './savepointDirectory.js';

/** What the savepoints need. */
export interface ApplicationSavepointsOptions {
  store: ControlPlaneStore;
  log: ApplicationEventLog;
  clusters: Pick<ClusterManager, 'gateway'>;
  /** Cancels an application whose jobs all stopped but which did not end by itself (its main() still runs). */
  cancel(applicationId: string): Promise<unknown>;
  logger: Logger;
  /** How long a stopped application may take to end by itself before it is cancelled (default 10 s). */
  endGraceMs?: number;
}

/** What to take a savepoint of: an application's running streaming jobs, or one job. */
export type SavepointSubject = { applicationId: string } | { jobId: string };

/** Takes savepoints of applications and stops them with one. */
export class ApplicationSavepoints {
  constructor(private readonly options: ApplicationSavepointsOptions) {}

  /**
   * A savepoint of the subject's running jobs under `targetDirectory` (empty: the application's
   * `state.savepoints.dir`); the jobs run on. FAILED_PRECONDITION when the application is not
   * RUNNING or has no running job; a cluster's refusal (not a streaming job with checkpointing)
   * comes back naming the job.
   */
  async trigger(subject: SavepointSubject, targetDirectory: string): Promise<ApplicationSavepoint> {
    const { application, jobs } = await this.runningJobs(subject);
    const directory = savepointDirectoryOf(targetDirectory, application, 'target_directory');
    const savepoint = await this.take(application, jobs, directory, false, 'jobId' in subject);
    await this.record(application, savepoint, false, `savepoint ${savepoint.path || savepoint.jobs[0].path}`);
    return savepoint;
  }

  /**
   * Stops every running job of the application with a savepoint (stop-with-savepoint), records it,
   * and waits for the application to end; one whose main() still runs once its jobs stopped is
   * cancelled after a grace. Resolves with the savepoint and the application as it is then.
   */
  async stop(
    applicationId: string,
    targetDirectory: string,
  ): Promise<{ savepoint: ApplicationSavepoint; application: Application }> {
    const { application, jobs } = await this.runningJobs({ applicationId });
    const directory = savepointDirectoryOf(targetDirectory, application, 'target_directory');
    const savepoint = await this.take(application, jobs, directory, true, false);
    await this.record(application, savepoint, true, `stopped with savepoint ${savepoint.path}`);
    return { savepoint, application: await this.ended(application.id) };
  }

  /** The application and the jobs to take a savepoint of; FAILED_PRECONDITION when there are none. */
  private async runningJobs(subject: SavepointSubject): Promise<{ application: Application; jobs: Job[] }> {
    const { store } = this.options;
    const job = 'jobId' in subject ? await store.jobs.get(subject.jobId) : undefined;
    const application = await store.applications.get(
      job ? job.applicationId : (subject as { applicationId: string }).applicationId,
    );
    if (application.status !== 'RUNNING') {
      throw new FailedPreconditionError(
        `application ${application.id} is ${application.status}: only a RUNNING application's jobs take savepoints`,
      );
    }
    const candidates = job ? [job] : await store.jobs.ofApplication(application.id);
    const jobs = candidates.filter((each) => each.livingPriority !== 'DRIVER' && each.status === 'RUNNING');
    if (jobs.length === 0) {
      throw new FailedPreconditionError(
        job
          ? `job ${job.id} is ${job.status}${job.livingPriority === 'DRIVER' ? " (it stands for the application's main())" : ''}: only a RUNNING streaming job takes a savepoint`
          : `application ${application.id} has no RUNNING job to take a savepoint of (${candidates.filter((each) => !isTerminalJobStatus(each.status) && each.livingPriority !== 'DRIVER').length} other job(s) not ended): a savepoint is of running streaming jobs`,
      );
    }
    return { application, jobs };
  }

  /** Asks each job's cluster for its savepoint, all into one new folder for an application savepoint. */
  private async take(
    application: Application,
    jobs: readonly Job[],
    directory: string,
    stop: boolean,
    oneJob: boolean,
  ): Promise<ApplicationSavepoint> {
    const folder = oneJob ? '' : await makeApplicationSavepointFolder(directory, application.id);
    const target = folder || directory;
    const taken = await Promise.allSettled(
      jobs.map(async (job): Promise<JobSavepoint> => {
        const gateway = await this.options.clusters.gateway(job.clusterId);
        const path = await gateway.triggerSavepoint(job.id, target, stop);
        return { jobId: job.id, jobName: jobNameWithinApplication(job.name, application.name), path };
      }),
    );
    const failed = taken.findIndex((outcome) => outcome.status === 'rejected');
    if (failed >= 0) {
      const reason = (taken[failed] as PromiseRejectedResult).reason as unknown;
      this.options.logger.warn(
        { err: reason, applicationId: application.id, jobId: jobs[failed].id },
        'a savepoint of a job failed',
      );
      throw withJob(reason, jobs[failed], taken.filter((outcome) => outcome.status === 'fulfilled').length);
    }
    const savepoint: ApplicationSavepoint = {
      applicationId: application.id,
      path: folder,
      jobs: taken.map((outcome) => (outcome as PromiseFulfilledResult<JobSavepoint>).value),
      createTime: new Date(),
    };
    if (folder) await writeApplicationManifest(savepoint, application.name);
    return savepoint;
  }

  /** Records the savepoint as the application's latest, with its event (also when a stop already ended it). */
  private async record(
    application: Application,
    savepoint: ApplicationSavepoint,
    stopped: boolean,
    message: string,
  ): Promise<void> {
    const { store, log, logger } = this.options;
    await store.transaction(async (tx) => {
      await tx.applications.update(application.id, { lastSavepoint: savepoint });
      await log.append(tx, application.id, { type: 'applicationSavepointCompleted', savepoint, stopped, message });
    });
    logger.info({ applicationId: application.id, path: savepoint.path, stopped }, 'application savepoint completed');
  }

  /** The application once it ended, cancelling it when it does not end by itself within the grace. */
  private async ended(applicationId: string): Promise<Application> {
    const { store } = this.options;
    const deadline = Date.now() + (this.options.endGraceMs ?? 10_000);
    for (;;) {
      const application = await store.applications.get(applicationId);
      if (isTerminalApplicationStatus(application.status)) return application;
      if (Date.now() >= deadline) {
        await this.options.cancel(applicationId);
        return store.applications.get(applicationId);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The cluster's refusal for `job`, of the same kind, saying which job and how many savepoints were taken before. */
function withJob(reason: unknown, job: Job, completed: number): unknown {
  if (!(reason instanceof FlotillaError)) return reason;
  const Kind = reason.constructor as new (message: string) => FlotillaError;
  const done =
    completed > 0 ? ` (${completed} other job savepoint(s) completed; the application savepoint is not whole)` : '';
  return new Kind(`savepoint of job ${job.id} (${job.name}): ${reason.message}${done}`);
}
