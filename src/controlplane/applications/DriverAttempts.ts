/**
 * Driver attempts (`--driver-attempts N`): a driver-mode application whose driver was lost to an
 * infrastructure failure (its task executor lost, its cluster lost) while attempts remain is not
 * ended but started again: the attempt that failed is recorded with its cause, the next one is
 * noted in the application's log, and its launch runs again, on the same cluster when it lives,
 * else on a newly deployed owned cluster (ApplicationLauncher, DriverMode). A driver that failed by
 * its own doing (APPLICATION or RESOURCE) is retried only when the application asked for it
 * (`--driver-retry-own-failures`), and never when it took a different path than the record
 * (NonDeterministicDriverError: another attempt would meet the same record); an application being
 * cancelled is never retried.
 * Which attempt a verdict is about is told by the failed driver job: only the current attempt's
 * driver can start the next one, so a late or repeated report of an earlier attempt changes nothing.
 */
import type { Logger } from '../../common/logger.js';
import type { SerializedError } from '../../common/status.js';
import type { Application } from '../model/Application.js';
import { currentAttempt, type DriverAttempt } from '../model/DriverAttempt.js';
import { failureCategoryOf } from '../model/FailureCategory.js';
import type { StoreScope, StoreTransaction } from '../store/ControlPlaneStore.js';
import type { ApplicationLifecycle } from './ApplicationLifecycle.js';

/** What the attempts need. */
export interface DriverAttemptsOptions {
  store: StoreScope;
  lifecycle: ApplicationLifecycle;
  /** Starts (or resumes) the application's launch in the background. */
  launch(applicationId: string): void;
  logger: Logger;
}

/** Decides on and starts driver attempts. */
export class DriverAttempts {
  constructor(private readonly options: DriverAttemptsOptions) {}

  /**
   * The current attempt of `application`, whose driver job `failedDriverJobId` failed with
   * `cause`, is over: true when the next attempt was started (inside `tx`, or a unit of its own),
   * false when the failure ends the application as before (the caller ends it).
   * `clusterLost` says the attempt's cluster is gone, which only an owned cluster survives.
   */
  async retry(
    application: Application,
    failedDriverJobId: string,
    cause: SerializedError | undefined,
    { clusterLost, tx }: { clusterLost: boolean; tx?: StoreTransaction },
  ): Promise<boolean> {
    if (!this.mayRetry(application, failedDriverJobId, cause, clusterLost)) return false;
    const started = tx
      ? await this.startNext(tx, application.id, failedDriverJobId, cause!)
      : await this.options.store.transaction((unit) => this.startNext(unit, application.id, failedDriverJobId, cause!));
    return started;
  }

  /** Whether the failure is one another attempt can help with, and one is left. */
  mayRetry(
    application: Application,
    failedDriverJobId: string,
    cause: SerializedError | undefined,
    clusterLost: boolean,
  ): boolean {
    if (application.mode !== 'DRIVER' || application.status !== 'RUNNING') return false;
    if (!retriable(application, cause)) return false;
    if (currentAttempt(application) >= application.driverAttempts) return false;
    if (clusterLost && application.target.kind !== 'deploy') return false;
    // Only the current attempt's driver decides; an earlier attempt's is over already.
    return failedDriverJobId === '' || failedDriverJobId === application.driverJobId;
  }

  /** Records the end of the current attempt and the start of the next, and launches it once committed. */
  private async startNext(
    tx: StoreTransaction,
    applicationId: string,
    failedDriverJobId: string,
    cause: SerializedError,
  ): Promise<boolean> {
    // Read again in the unit: another report of the same failure may have started the next attempt already.
    const application = await tx.applications.get(applicationId);
    if (!this.mayRetry(application, failedDriverJobId, cause, false)) return false;
    const now = new Date();
    const attempts: DriverAttempt[] = application.attempts.length
      ? application.attempts.map((attempt) => ({ ...attempt }))
      : [
          {
            number: 1,
            driverJobId: application.driverJobId,
            clusterId: application.clusterId,
            startTime: application.createTime,
          },
        ];
    const failed = attempts[attempts.length - 1];
    Object.assign(failed, { endTime: now, cause, category: failureCategoryOf(cause) });
    const number = failed.number + 1;
    attempts.push({ number, driverJobId: '', clusterId: '', startTime: now });
    const message = `driver attempt ${failed.number} of ${application.driverAttempts} was lost (${cause.name}: ${cause.message}); starting attempt ${number}`;
    await this.options.lifecycle.record(
      applicationId,
      { type: 'applicationStatusChanged', status: 'RUNNING', message },
      { attempts, driverJobId: '' },
      tx,
    );
    tx.afterCommit(() => {
      this.options.logger.warn({ applicationId, attempt: number }, message);
      this.options.launch(applicationId);
    });
    return true;
  }
}

/** Whether a driver that failed with `cause` is one another attempt may help, by the application's setting. */
function retriable(application: Application, cause: SerializedError | undefined): boolean {
  const category = failureCategoryOf(cause);
  if (category === 'INFRASTRUCTURE') return true;
  if (!application.driverRetryOwnFailures || cause?.name === 'NonDeterministicDriverError') return false;
  return category === 'APPLICATION' || category === 'RESOURCE';
}
