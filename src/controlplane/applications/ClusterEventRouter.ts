/**
 * Turns what happens on clusters into applications' events and statuses: job and task events of
 * an application's jobs are relayed into its log, the Dispatcher's verdict on an application
 * (FLIP-40's ApplicationStatusChanged) becomes its status, an owned cluster's progress appears in
 * its application's log, and applications on a cluster that is gone are ended. When the cluster
 * does not report a final status, the one the jobs imply is applied after a grace period. Every
 * job status change also updates the job's record (GetJob, ListJobs).
 *
 * Session and per-job applications have no driver job: their `main()` runs in the client and
 * reports its end (CompleteClientMain), which then decides the outcome as the driver job would.
 * When the outcome applies is the application's mode's end rule (SubmissionModeStrategy.settle).
 * A job that ends is published (`jobEnded`, once its unit of work committed); the router hears of
 * clusters through the events the wiring subscribes it to.
 */
import type { Logger } from '../../common/logger.js';
import type { ControlPlaneEventPublisher } from '../events/ControlPlaneEvents.js';
import type { Application } from '../model/Application.js';
import { isTerminalApplicationStatus } from '../model/ApplicationStatus.js';
import type { Cluster } from '../model/Cluster.js';
import type { ClusterJobEvent, DispatcherApplicationStatusChanged } from '../model/ClusterJobEvent.js';
import type { JobStatusChanged } from '../model/ApplicationEvent.js';
import { isTerminalJobStatus } from '../../common/status.js';
import type { ApplicationChanges } from '../store/ApplicationStore.js';
import type { StoreScope, StoreTransaction } from '../store/ControlPlaneStore.js';
import type { ApplicationLifecycle } from './ApplicationLifecycle.js';
import type { SerializedError } from '../../common/status.js';
import { ApplicationJobs } from '../model/ApplicationJobs.js';
import { submissionModeOf } from './modes/submissionModes.js';
import type { DriverAttempts } from './DriverAttempts.js';
import type { DriverReplayRecorder } from './DriverReplayRecorder.js';

/** What the router needs. */
export interface ClusterEventRouterOptions {
  /** The state; what a cluster event changes is written in the unit of work that records the event. */
  store: StoreScope;
  lifecycle: ApplicationLifecycle;
  logger: Logger;
  /** Where a job of an application reaching a terminal status is published. */
  publisher: ControlPlaneEventPublisher;
  /** How long to wait for the cluster's own final status once the jobs imply one, in milliseconds. */
  statusGraceMs: number;
  /** Starts the next driver attempt of an application whose driver was lost, while attempts remain. */
  attempts: DriverAttempts;
  /** Records the jobs drivers submit, and their results, for a later attempt to replay. */
  replay?: DriverReplayRecorder;
}

/** Routes cluster events to applications. */
export class ClusterEventRouter {
  private readonly jobs = new Map<string, ApplicationJobs>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: ClusterEventRouterOptions) {}

  /** A job event of the cluster, inside the unit of work `tx` that records it as consumed. */
  async onJobEvent(tx: StoreTransaction, cluster: Cluster, event: ClusterJobEvent): Promise<void> {
    const { kind } = event;
    if (!kind || !event.applicationId) return;
    // Under its row lock: whether it has ended is what was last committed, and stays so until this unit ends.
    const application = await tx.applications.findForUpdate(event.applicationId);
    // Jobs of applications of another control plane, or that moved on, are not this control plane's to relay.
    if (!application || isTerminalApplicationStatus(application.status)) return;
    if (application.clusterId !== cluster.id && cluster.ownerApplicationId !== application.id) return;
    const { lifecycle } = this.options;
    switch (kind.type) {
      case 'applicationStatusChanged':
        if (await this.handledByAttempts(tx, application, kind)) return;
        await lifecycle.changeStatus(
          application.id,
          kind.status,
          {
            message: kind.message || `cluster ${cluster.id} reported ${kind.status}`,
            failure: kind.failure,
          },
          tx,
        );
        return;
      case 'taskStateChanged':
        await lifecycle.recordAsRead(tx, application, kind);
        return;
      case 'jobStatusChanged': {
        const changes: ApplicationChanges = {};
        // The application as read above, unless a status change below writes it first.
        let accepted = false;
        if (kind.livingPriority === 'DRIVER') {
          // An earlier driver attempt's job, reported late, is no longer the application's driver.
          if (!isEndedAttemptDriver(application, kind.jobId)) {
            if (!application.driverJobId) changes.driverJobId = kind.jobId;
            const last = application.attempts.at(-1);
            if (last && !last.driverJobId && [kind.jobId, ''].includes(application.driverJobId))
              changes.attempts = [
                ...application.attempts.slice(0, -1),
                { ...last, driverJobId: kind.jobId, clusterId: cluster.id },
              ];
          }
          if (application.status === 'DEPLOYING') {
            accepted = await lifecycle.changeStatus(
              application.id,
              'RUNNING',
              { message: `driver job ${kind.jobId} accepted by cluster ${cluster.id} (${cluster.jobmanagerAddress})` },
              tx,
            );
          }
        } else if (!application.jobIds.includes(kind.jobId)) {
          changes.jobIds = [...application.jobIds, kind.jobId];
        }
        if (accepted) await lifecycle.record(application.id, kind, changes, tx);
        else await lifecycle.recordAsRead(tx, application, kind, changes);
        await this.options.replay?.observe(tx, application, cluster.id, kind);
        await tx.jobs.insert({
          id: kind.jobId,
          applicationId: application.id,
          clusterId: cluster.id,
          name: kind.jobName,
          livingPriority: kind.livingPriority,
          status: kind.status,
          restarts: 0,
          requestId: '',
          createTime: event.time,
        });
        await tx.jobs.updateStatus(kind.jobId, kind.status, kind.failure, event.time);
        await this.jobObserved(tx, application.id, kind);
        return;
      }
    }
  }

  /**
   * Whether a Dispatcher's verdict is the driver attempts' to act on rather than the application's
   * status: an earlier attempt's verdict (its driver job is not the application's now) is dropped;
   * a current attempt failing by the loss of its driver while attempts remain starts the next one
   * once the cluster's application is FAILED (FAILING only announces it).
   */
  private async handledByAttempts(
    tx: StoreTransaction,
    application: Application,
    kind: DispatcherApplicationStatusChanged,
  ): Promise<boolean> {
    if (application.mode !== 'DRIVER') return false;
    if (kind.driverJobId && isEndedAttemptDriver(application, kind.driverJobId)) return true;
    if (kind.driverJobId && application.driverJobId && kind.driverJobId !== application.driverJobId) return true;
    if (kind.status !== 'FAILING' && kind.status !== 'FAILED') return false;
    const failed = kind.driverJobId ?? application.driverJobId;
    if (kind.status === 'FAILING') return this.options.attempts.mayRetry(application, failed, kind.failure, false);
    return this.options.attempts.retry(application, failed, kind.failure, { clusterLost: false, tx });
  }

  /** The cluster changed status or made progress deploying: its owner application's log shows it. */
  async onClusterStatus(tx: StoreTransaction, cluster: Cluster, message: string): Promise<void> {
    if (!cluster.ownerApplicationId) return;
    await this.options.lifecycle.record(
      cluster.ownerApplicationId,
      {
        type: 'clusterStatusChanged',
        clusterId: cluster.id,
        status: cluster.status,
        message,
        jobmanagerAddress: cluster.jobmanagerAddress,
        registeredTaskExecutors: cluster.registeredTaskExecutors,
        taskExecutors: cluster.spec.taskExecutors,
      },
      {},
      tx,
    );
  }

  /** The cluster's job manager is gone: the applications on it end, and the jobs it ran with them. */
  async onClusterGone(cluster: Cluster, ending: { lost: boolean; reason: string }): Promise<void> {
    const { store } = this.options;
    for (const application of await store.applications.activeOnCluster(cluster.id))
      await this.endWithCluster(application, cluster.id, ending);
    // A per-job cluster takes only its own job with it; the application goes on.
    for (const job of await store.jobs.activeOnCluster(cluster.id)) {
      const application = await store.applications.find(job.applicationId);
      if (!application || application.clusterId === cluster.id || isTerminalApplicationStatus(application.status))
        continue;
      const message = `cluster ${cluster.id} ${ending.lost ? 'was lost' : 'was shut down'}: ${ending.reason}`;
      const kind = {
        type: 'jobStatusChanged' as const,
        jobId: job.id,
        jobName: job.name,
        status: ending.lost ? ('FAILED' as const) : ('CANCELED' as const),
        failure: ending.lost ? { name: 'ClusterLostError', message, stack: '' } : undefined,
        livingPriority: job.livingPriority,
      };
      await store.transaction(async (tx) => {
        await this.options.lifecycle.record(application.id, kind, {}, tx);
        await tx.jobs.updateStatus(job.id, kind.status, kind.failure);
        await this.jobObserved(tx, application.id, kind);
      });
    }
  }

  /** A client-side main() reported its end: it decides the application's outcome as a driver job would. */
  async clientMainEnded(applicationId: string, failure: SerializedError | undefined): Promise<void> {
    (await this.jobsOf(applicationId, this.options.store)).clientMainEnded(failure);
    await this.settle(applicationId);
  }

  /** Takes in a job's status change and what may follow from it, in the unit of work `tx`. */
  private async jobObserved(tx: StoreTransaction, applicationId: string, kind: JobStatusChanged): Promise<void> {
    (this.jobs.get(applicationId) ?? (await this.jobsOf(applicationId, tx))).observe(kind);
    if (isTerminalJobStatus(kind.status)) {
      const jobId = kind.jobId;
      tx.afterCommit(() => {
        this.options.publisher
          .publish({ type: 'jobEnded', jobId })
          .catch((error: unknown) => this.options.logger.error({ err: error, jobId }, 'a job end was not followed up'));
      });
    }
    await this.settle(applicationId, tx);
  }

  /**
   * Applies what the jobs imply, by the application's mode's end rule: at once when its `main()`
   * runs in the client (a cancelled one ends CANCELED once its jobs ended), after the grace period
   * when the cluster reports the end.
   */
  async settle(applicationId: string, tx?: StoreTransaction): Promise<void> {
    const scope = tx ?? this.options.store;
    const application = await scope.applications.get(applicationId);
    if (isTerminalApplicationStatus(application.status)) return;
    const settlement = submissionModeOf(application).settle(
      application,
      this.jobs.get(applicationId) ?? (await this.jobsOf(applicationId, scope)),
    );
    if (settlement?.end === 'byCluster') await this.considerImpliedOutcome(applicationId, scope);
    else if (settlement)
      await this.options.lifecycle.changeStatus(
        applicationId,
        settlement.status,
        { message: settlement.message, failure: settlement.failure },
        tx,
      );
  }

  /**
   * Ends an application whose cluster is gone: with the outcome its jobs imply when they all ended,
   * CANCELED when the cluster was shut down or a cancellation was under way, FAILED otherwise.
   */
  async endWithCluster(
    application: Application,
    clusterId: string,
    { lost, reason }: { lost: boolean; reason: string },
  ): Promise<void> {
    const outcome = (await this.jobsOf(application.id, this.options.store)).impliedOutcome();
    const gone = `cluster ${clusterId} ${lost ? 'was lost' : 'was shut down'}: ${reason}`;
    if (lost && outcome?.status !== 'FINISHED' && outcome?.status !== 'CANCELED') {
      const cause = { name: 'ClusterLostError', message: `the application's ${gone}`, stack: '' };
      if (await this.options.attempts.retry(application, application.driverJobId, cause, { clusterLost: true })) {
        this.jobs.delete(application.id);
        return;
      }
    }
    const { lifecycle } = this.options;
    if (outcome) {
      await lifecycle.changeStatus(application.id, outcome.status, {
        message: `${outcome.message}; then ${gone}`,
        failure: outcome.failure,
      });
    } else if (!lost || application.status === 'CANCELING') {
      await lifecycle.changeStatus(application.id, 'CANCELED', {
        message: `${application.status === 'CANCELING' ? 'cancelled' : 'stopped'}: ${gone}`,
      });
    } else {
      const message = `the application's ${gone}`;
      await lifecycle.changeStatus(application.id, 'FAILED', {
        message,
        failure: { name: 'ClusterLostError', message, stack: '' },
      });
    }
  }

  /** Applies the outcome the jobs imply after the grace period, unless the cluster reports one first. */
  async considerImpliedOutcome(applicationId: string, scope: StoreScope = this.options.store): Promise<void> {
    if (this.timers.has(applicationId)) return;
    if (!(this.jobs.get(applicationId) ?? (await this.jobsOf(applicationId, scope))).impliedOutcome()) return;
    // Another call may have set the timer while this one read the jobs.
    if (this.timers.has(applicationId)) return;
    const { statusGraceMs, lifecycle, logger, store } = this.options;
    const timer = setTimeout(() => {
      this.timers.delete(applicationId);
      const apply = async () => {
        const outcome = (await this.jobsOf(applicationId, store)).impliedOutcome();
        if (!outcome) return;
        if (outcome.status === 'FAILED') {
          const application = await store.applications.get(applicationId);
          // An earlier attempt's driver failed, and the next attempt is under way.
          if (outcome.driverJobId && isEndedAttemptDriver(application, outcome.driverJobId)) return;
          const failed = outcome.driverJobId ?? application.driverJobId;
          if (await this.options.attempts.retry(application, failed, outcome.failure, { clusterLost: false })) return;
        }
        const message = `${outcome.message} (the cluster reported no final status for the application within ${statusGraceMs} ms)`;
        await lifecycle.changeStatus(applicationId, outcome.status, { message, failure: outcome.failure });
      };
      apply().catch((error: unknown) =>
        logger.error({ err: error, applicationId }, 'could not apply the status the jobs imply'),
      );
    }, statusGraceMs);
    timer.unref();
    this.timers.set(applicationId, timer);
  }

  /** Forgets an application that ended. */
  forget(applicationId: string): void {
    clearTimeout(this.timers.get(applicationId));
    this.timers.delete(applicationId);
    this.jobs.delete(applicationId);
  }

  /** Stops every timer. */
  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /**
   * The application's jobs, rebuilt from its stored events the first time (after a restart). The
   * callers on the path of every relayed event look in `jobs` first and call this only when the
   * jobs are not there, which spares an async call and its promise per event.
   */
  private async jobsOf(applicationId: string, scope: StoreScope): Promise<ApplicationJobs> {
    const known = this.jobs.get(applicationId);
    if (known) return known;
    const jobs = new ApplicationJobs();
    for (const event of await scope.events.readOfType(applicationId, 'jobStatusChanged')) jobs.observe(event);
    const application = await scope.applications.find(applicationId);
    if (application?.clientMainEndTime) jobs.clientMainEnded(application.clientMainFailure);
    // Another caller may have rebuilt them meanwhile: the first one stays.
    const first = this.jobs.get(applicationId) ?? jobs;
    this.jobs.set(applicationId, first);
    return first;
  }
}

/** Whether `jobId` is the driver job of one of the application's ended driver attempts. */
function isEndedAttemptDriver(application: Application, jobId: string): boolean {
  return application.attempts.some((attempt) => attempt.endTime !== undefined && attempt.driverJobId === jobId);
}
