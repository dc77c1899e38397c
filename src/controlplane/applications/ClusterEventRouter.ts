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
 * A job that ends is published (`jobEnded`); the router hears of clusters through the events the
 * wiring subscribes it to.
 */
import type { Logger } from '../../common/logger.js';
import type { ControlPlaneEventPublisher } from '../events/ControlPlaneEvents.js';
import type { Application } from '../model/Application.js';
import { isTerminalApplicationStatus } from '../model/ApplicationStatus.js';
import type { Cluster } from '../model/Cluster.js';
import type { ClusterJobEvent } from '../model/ClusterJobEvent.js';
import type { ApplicationEventStore } from '../store/ApplicationEventStore.js';
import type { JobStatusChanged } from '../model/ApplicationEvent.js';
import { isTerminalJobStatus } from '../../common/status.js';
import type { ApplicationChanges, ApplicationStore } from '../store/ApplicationStore.js';
import type { JobStore } from '../store/JobStore.js';
import type { ApplicationLifecycle } from './ApplicationLifecycle.js';
import type { SerializedError } from '../../common/status.js';
import { ApplicationJobs } from '../model/ApplicationJobs.js';
import { submissionModeOf } from './modes/submissionModes.js';

/** What the router needs. */
export interface ClusterEventRouterOptions {
  applications: ApplicationStore;
  events: ApplicationEventStore;
  lifecycle: ApplicationLifecycle;
  jobs: JobStore;
  logger: Logger;
  /** Where a job of an application reaching a terminal status is published. */
  publisher: ControlPlaneEventPublisher;
  /** How long to wait for the cluster's own final status once the jobs imply one, in milliseconds. */
  statusGraceMs: number;
}

/** Routes cluster events to applications. */
export class ClusterEventRouter {
  private readonly jobs = new Map<string, ApplicationJobs>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: ClusterEventRouterOptions) {}

  /** A job event of the cluster, inside the transaction that records it as consumed. */
  onJobEvent(cluster: Cluster, event: ClusterJobEvent): void {
    const { kind } = event;
    if (!kind || !event.applicationId) return;
    const application = this.options.applications.find(event.applicationId);
    // Jobs of applications of another control plane, or that moved on, are not this control plane's to relay.
    if (!application || isTerminalApplicationStatus(application.status)) return;
    if (application.clusterId !== cluster.id && cluster.ownerApplicationId !== application.id) return;
    const { lifecycle } = this.options;
    switch (kind.type) {
      case 'applicationStatusChanged':
        lifecycle.changeStatus(application.id, kind.status, {
          message: kind.message || `cluster ${cluster.id} reported ${kind.status}`,
          failure: kind.failure,
        });
        return;
      case 'taskStateChanged':
        lifecycle.record(application.id, kind);
        return;
      case 'jobStatusChanged': {
        const changes: ApplicationChanges = {};
        if (kind.livingPriority === 'DRIVER') {
          if (!application.driverJobId) changes.driverJobId = kind.jobId;
          if (application.status === 'DEPLOYING') {
            lifecycle.changeStatus(application.id, 'RUNNING', {
              message: `driver job ${kind.jobId} accepted by cluster ${cluster.id} (${cluster.jobmanagerAddress})`,
            });
          }
        } else if (!application.jobIds.includes(kind.jobId)) {
          changes.jobIds = [...application.jobIds, kind.jobId];
        }
        lifecycle.record(application.id, kind, changes);
        this.options.jobs.insert({
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
        this.options.jobs.updateStatus(kind.jobId, kind.status, kind.failure, event.time);
        this.jobObserved(application.id, kind);
        return;
      }
    }
  }

  /** The cluster changed status or made progress deploying: its owner application's log shows it. */
  onClusterStatus(cluster: Cluster, message: string): void {
    if (!cluster.ownerApplicationId) return;
    this.options.lifecycle.record(cluster.ownerApplicationId, {
      type: 'clusterStatusChanged',
      clusterId: cluster.id,
      status: cluster.status,
      message,
      jobmanagerAddress: cluster.jobmanagerAddress,
    });
  }

  /** The cluster's job manager is gone: the applications on it end, and the jobs it ran with them. */
  onClusterGone(cluster: Cluster, ending: { lost: boolean; reason: string }): void {
    for (const application of this.options.applications.activeOnCluster(cluster.id))
      this.endWithCluster(application, cluster.id, ending);
    // A per-job cluster takes only its own job with it; the application goes on.
    for (const job of this.options.jobs.activeOnCluster(cluster.id)) {
      const application = this.options.applications.find(job.applicationId);
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
      this.options.lifecycle.record(application.id, kind);
      this.options.jobs.updateStatus(job.id, kind.status, kind.failure);
      this.jobObserved(application.id, kind);
    }
  }

  /** A client-side main() reported its end: it decides the application's outcome as a driver job would. */
  clientMainEnded(applicationId: string, failure: SerializedError | undefined): void {
    this.jobsOf(applicationId).clientMainEnded(failure);
    this.settle(applicationId);
  }

  /** Takes in a job's status change and what may follow from it. */
  private jobObserved(applicationId: string, kind: JobStatusChanged): void {
    this.jobsOf(applicationId).observe(kind);
    if (isTerminalJobStatus(kind.status)) this.options.publisher.publish({ type: 'jobEnded', jobId: kind.jobId });
    this.settle(applicationId);
  }

  /**
   * Applies what the jobs imply, by the application's mode's end rule: at once when its `main()`
   * runs in the client (a cancelled one ends CANCELED once its jobs ended), after the grace period
   * when the cluster reports the end.
   */
  settle(applicationId: string): void {
    const application = this.options.applications.get(applicationId);
    if (isTerminalApplicationStatus(application.status)) return;
    const settlement = submissionModeOf(application).settle(application, this.jobsOf(applicationId));
    if (settlement?.end === 'byCluster') this.considerImpliedOutcome(applicationId);
    else if (settlement)
      this.options.lifecycle.changeStatus(applicationId, settlement.status, {
        message: settlement.message,
        failure: settlement.failure,
      });
  }

  /**
   * Ends an application whose cluster is gone: with the outcome its jobs imply when they all ended,
   * CANCELED when the cluster was shut down or a cancellation was under way, FAILED otherwise.
   */
  endWithCluster(
    application: Application,
    clusterId: string,
    { lost, reason }: { lost: boolean; reason: string },
  ): void {
    const outcome = this.jobsOf(application.id).impliedOutcome();
    const gone = `cluster ${clusterId} ${lost ? 'was lost' : 'was shut down'}: ${reason}`;
    const { lifecycle } = this.options;
    if (outcome) {
      lifecycle.changeStatus(application.id, outcome.status, {
        message: `${outcome.message}; then ${gone}`,
        failure: outcome.failure,
      });
    } else if (!lost || application.status === 'CANCELING') {
      lifecycle.changeStatus(application.id, 'CANCELED', {
        message: `${application.status === 'CANCELING' ? 'cancelled' : 'stopped'}: ${gone}`,
      });
    } else {
      const message = `the application's ${gone}`;
      lifecycle.changeStatus(application.id, 'FAILED', {
        message,
        failure: { name: 'ClusterLostError', message, stack: '' },
      });
    }
  }

  /** Applies the outcome the jobs imply after the grace period, unless the cluster reports one first. */
  considerImpliedOutcome(applicationId: string): void {
    if (this.timers.has(applicationId) || !this.jobsOf(applicationId).impliedOutcome()) return;
    const { statusGraceMs, lifecycle, logger } = this.options;
    const timer = setTimeout(() => {
      this.timers.delete(applicationId);
      try {
        const outcome = this.jobsOf(applicationId).impliedOutcome();
        if (!outcome) return;
        const message = `${outcome.message} (the cluster reported no final status for the application within ${statusGraceMs} ms)`;
        lifecycle.changeStatus(applicationId, outcome.status, { message, failure: outcome.failure });
      } catch (error) {
        logger.error({ err: error, applicationId }, 'could not apply the status the jobs imply');
      }
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

  /** The application's jobs, rebuilt from its stored events the first time (after a restart). */
  private jobsOf(applicationId: string): ApplicationJobs {
    let jobs = this.jobs.get(applicationId);
    if (!jobs) {
      jobs = new ApplicationJobs();
      for (const event of this.options.events.readOfType(applicationId, 'jobStatusChanged')) jobs.observe(event);
      const application = this.options.applications.find(applicationId);
      if (application?.clientMainEndTime) jobs.clientMainEnded(application.clientMainFailure);
      this.jobs.set(applicationId, jobs);
    }
    return jobs;
  }
}
