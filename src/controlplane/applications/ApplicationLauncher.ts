/**
 * Launches applications in the background, after RunApplication has answered: what a launch does
 * is the application's mode's (SubmissionModeStrategy.launch: find or deploy a cluster, give it
 * the bundle, start `main()` there, or nothing for per-job mode); the launcher runs it once per
 * application, records the job that stands for `main()`, moves the application to RUNNING, and
 * ends it FAILED when the launch fails. A cancellation stops a deployment or upload under way; a
 * submission of `main()` is let finish and its job then cancelled, so that no driver is left behind.
 *
 * Among replicas, a launch cut off by a takeover is not a failure: one whose application's lease
 * another replica took stops and leaves the launch to that replica (and starts again if this replica
 * takes the lease back meanwhile); one whose own cluster's lease another replica took while it was
 * deploying lets the application's lease go, so that the replica that takes it next launches again
 * on a new cluster once the new follower has recorded the interrupted deployment failed
 * (FollowerTakeover), as a restarted control plane does.
 */
import type { ArtifactStore } from '../../blob/ArtifactStore.js';
import type { Logger } from '../../common/logger.js';
import { serializeError } from '../../common/status.js';
import type { ClusterManager } from '../clusters/ClusterManager.js';
import type { Application } from '../model/Application.js';
import { isTerminalApplicationStatus } from '../model/ApplicationStatus.js';
import type { ApplicationStore } from '../store/ApplicationStore.js';
import type { ApplicationLifecycle } from './ApplicationLifecycle.js';
import { submissionModeOf } from './modes/submissionModes.js';
import type { FollowerLeases } from '../clusters/FollowerLeases.js';
import type { ModeServices } from './modes/SubmissionModeStrategy.js';
import { launchFailure } from './launchFailure.js';
import { FencedWriteError } from '../store/FollowerLeaseStore.js';

/** What the launcher needs. */
export interface ApplicationLauncherOptions {
  applications: ApplicationStore;
  clusters: ClusterManager;
  artifacts: ArtifactStore;
  lifecycle: ApplicationLifecycle;
  logger: Logger;
  /** Aborted once the control plane is shutting down: work in flight is then left for the next start to resume. */
  shutdown: AbortSignal;
  /** Whether this process still launches an application (holds its lease) and still follows its cluster; always, when not given. */
  leases?: Pick<FollowerLeases, 'holds' | 'lostToAnother' | 'letGo' | 'holder'>;
  /** What a driver attempt is told of the earlier ones (replay). */
  driverReplay?: ModeServices['driverReplay'];
}

/** A launch under way. */
interface Launch {
  controller: AbortController;
  /** Another replica took the application's lease over: the launch stops without ending the application. */
  takenOver: boolean;
  /** Asked to launch again while it was stopping (this replica took the lease back): launched again once it has stopped. */
  again: boolean;
}

/** Launches applications. */
export class ApplicationLauncher {
  private readonly launches = new Map<string, Launch>();
  private readonly services: ModeServices;

  constructor(private readonly options: ApplicationLauncherOptions) {
    const { applications, clusters, artifacts, logger, driverReplay } = options;
    this.services = { applications, clusters, artifacts, logger, driverReplay };
  }

  /** Starts launching the application in the background (once; again after a launch cut off by a takeover). */
  launch(applicationId: string): void {
    const underWay = this.launches.get(applicationId);
    if (underWay) {
      if (underWay.takenOver) underWay.again = true;
      return;
    }
    const launch: Launch = { controller: new AbortController(), takenOver: false, again: false };
    this.launches.set(applicationId, launch);
    void this.run(applicationId, launch)
      .catch((error: unknown) => {
        if (!this.options.shutdown.aborted)
          this.options.logger.error({ err: error, applicationId }, 'launching the application failed unexpectedly');
      })
      .finally(() => {
        this.launches.delete(applicationId);
        if (launch.again && !this.options.shutdown.aborted) this.launch(applicationId);
      });
  }

  /** Whether the application is being launched now. */
  launching(applicationId: string): boolean {
    return this.launches.has(applicationId);
  }

  /** Stops a deployment or upload under way for the application (a cancellation). */
  abort(applicationId: string): void {
    this.launches.get(applicationId)?.controller.abort();
  }

  /**
   * Another replica took the application's lease over: the launch under way stops, and ends
   * nothing (the new holder launches the application, or this replica again if it takes the lease back).
   */
  takenOver(applicationId: string): void {
    const launch = this.launches.get(applicationId);
    if (!launch) return;
    launch.takenOver = true;
    launch.controller.abort();
  }

  /** Stops every launch under way, at shutdown: what they deployed is stopped, and the next start launches them again. */
  close(): void {
    for (const launch of this.launches.values()) launch.controller.abort();
  }

  private async run(applicationId: string, launch: Launch): Promise<void> {
    const { applications, lifecycle, leases } = this.options;
    const signal = launch.controller.signal;
    try {
      const application = await applications.get(applicationId);
      const launched = await submissionModeOf(application).launch(application, this.services, signal);
      const jobId = launched.driverJobId;
      if (jobId && !(await applications.get(applicationId)).driverJobId)
        await applications.update(applicationId, { driverJobId: jobId });
      await lifecycle.changeStatus(applicationId, 'RUNNING', { message: launched.message });
      const running = await applications.get(applicationId);
      if (jobId && running.status === 'CANCELING') await this.cancelDriver(running);
    } catch (error) {
      if (this.options.shutdown.aborted) return;
      // Another replica took the launch over (this one was paused or cut off): it is that one's to finish.
      if (launch.takenOver || (leases && !leases.holds(applicationId))) {
        this.options.logger.warn({ err: error, applicationId }, 'the launch was taken over by another replica');
        return;
      }
      const application = await applications.get(applicationId);
      if (isTerminalApplicationStatus(application.status)) return;
      if (application.status === 'CANCELING') {
        if (application.driverJobId) await this.cancelDriver(application);
        else
          await lifecycle.changeStatus(applicationId, 'CANCELED', { message: 'cancelled before its driver started' });
        return;
      }
      if (application.driverJobId && application.status === 'RUNNING') {
        // The cluster reported the driver job running before its answer to the submission arrived (the
        // answer was then lost, e.g. the job manager died): the driver did start, so what ends the
        // application is its cluster's report or loss, not this launch.
        this.options.logger.warn(
          { err: error, applicationId },
          'the launch failed after the cluster reported the driver running; its cluster decides the outcome',
        );
        return;
      }
      if (
        leases &&
        application.ownsCluster &&
        (error instanceof FencedWriteError || leases.lostToAnother(application.clusterId))
      ) {
        // Its own cluster was taken over while this replica deployed it: the new follower records
        // that deployment failed, and whoever takes the application's lease next deploys anew.
        this.options.logger.warn(
          { err: error, applicationId, clusterId: application.clusterId },
          'another replica took over the cluster this launch was deploying; the launch starts again on a new cluster',
        );
        // Any replica may take the lease now, this one too: a launch asked for meanwhile runs once this one has ended.
        launch.takenOver = true;
        await leases.letGo(applicationId);
        return;
      }
      const message = `the driver could not be started: ${launchFailure(error, leases?.holder)}`;
      await lifecycle.changeStatus(applicationId, 'FAILED', { message, failure: serializeError(error) });
    }
  }

  /**
   * Cancels an application whose `main()` runs in the cluster (CANCELING, its launch aborted): the
   * driver job it submitted is cancelled, an application still launching ends when its launch
   * stops, and one whose driver never started ends CANCELED now.
   */
  async cancelMain(applicationId: string): Promise<void> {
    const cancelling = await this.options.applications.get(applicationId);
    if (cancelling.driverJobId && cancelling.clusterId) void this.cancelDriver(cancelling);
    else if (!this.launching(applicationId))
      await this.options.lifecycle.changeStatus(applicationId, 'CANCELED', {
        message: 'cancelled before its driver started',
      });
  }

  /** Asks the cluster to cancel the driver job; the cluster's report (or the job's end) ends the application. */
  async cancelDriver(application: Application): Promise<void> {
    try {
      await (await this.options.clusters.gateway(application.clusterId)).cancelJob(application.driverJobId);
    } catch (error) {
      this.options.logger.warn(
        { err: error, applicationId: application.id },
        'could not cancel the driver job; the application ends when its cluster reports it or is lost',
      );
    }
  }
}
