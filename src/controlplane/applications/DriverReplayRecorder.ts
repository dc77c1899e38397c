/**
 * The control plane's side of replay (issue 15): every job a driver attempt of an application with
 * more than one attempt submits is recorded durably with its ordinal and fingerprint as its cluster
 * reports it (the Dispatcher names the submission in the job's status events), and once it FINISHED
 * its result and collected records are fetched from the cluster and kept (up to `maxResultBytes`
 * each), so that a lost job manager loses none of them. A later attempt's driver job carries the
 * record ({@link replayFor}): the latest earlier submission at each ordinal. A job lost with its
 * cluster that a later attempt runs again under the same id moves to the new cluster, its restart
 * counted.
 */
import type { Logger } from '../../common/logger.js';
import { isTerminalJobStatus } from '../../common/status.js';
import type { ClusterManager } from '../clusters/ClusterManager.js';
import type { DriverReplayRecord } from '../clusters/DispatcherGateway.js';
import type { Application } from '../model/Application.js';
import type { JobStatusChanged } from '../model/ApplicationEvent.js';
import { currentAttempt } from '../model/DriverAttempt.js';
import type { DriverSubmission } from '../model/DriverSubmission.js';
import type { StoreScope, StoreTransaction } from '../store/ControlPlaneStore.js';

/** The default of `--driver-replay-max-result-bytes`: the most bytes of one job's result and collected records kept for replay. */
export const DEFAULT_REPLAY_MAX_RESULT_BYTES = 1024 * 1024;

/** What the recorder needs. */
export interface DriverReplayRecorderOptions {
  store: StoreScope;
  clusters: ClusterManager;
  /** The most bytes of one job's encoded result and collected records kept; a larger result is not kept (the job runs again). */
  maxResultBytes: number;
  logger: Logger;
}

/** Records driver submissions and their results. */
export class DriverReplayRecorder {
  constructor(private readonly options: DriverReplayRecorderOptions) {}

  /** A status change of a job a driver submitted, on `clusterId`, in the unit `tx` that relays it. */
  async observe(tx: StoreTransaction, application: Application, clusterId: string, kind: JobStatusChanged) {
    const submission = kind.submission;
    // With one attempt nothing is ever replayed: nothing is recorded, and no result fetched.
    if (!submission || application.mode !== 'DRIVER' || application.driverAttempts <= 1) return;
    // A replayed or attached submission is the earlier attempt's job: its record stays that attempt's.
    if (submission.replay === 'REPLAYED' || submission.replay === 'ATTACHED') return;
    if (submission.replay === 'RESUBMITTED' && kind.status === 'CREATED')
      await tx.jobs.restartOn(kind.jobId, clusterId);
    await tx.driverSubmissions.record({
      applicationId: application.id,
      attempt: submission.attempt,
      ordinal: submission.ordinal,
      fingerprint: submission.fingerprint,
      jobId: kind.jobId,
      jobName: kind.jobName,
      clusterId,
      submitTime: new Date(),
    });
    if (isTerminalJobStatus(kind.status)) {
      const { jobId, status } = kind;
      tx.afterCommit(() => void this.keepResult(clusterId, jobId, status === 'FINISHED'));
    }
  }

  /** The record a driver attempt of `application` starts with; undefined for its first attempt. */
  async replayFor(application: Application): Promise<DriverReplayRecord | undefined> {
    const attempt = currentAttempt(application);
    if (attempt === 1 && application.driverAttempts <= 1) return undefined;
    const latest = new Map<number, DriverSubmission>();
    for (const submission of await this.options.store.driverSubmissions.ofApplication(application.id))
      if (submission.attempt < attempt) latest.set(submission.ordinal, submission);
    return {
      attempt,
      attempts: application.driverAttempts,
      submissions: [...latest.values()]
        .sort((a, b) => a.ordinal - b.ordinal)
        .map(({ ordinal, fingerprint, jobId, jobName, attempt: by, status, result }) => ({
          ordinal,
          fingerprint,
          jobId,
          jobName,
          attempt: by,
          ...(status === 'FINISHED' && result ? { result } : {}),
        })),
    };
  }

  /** Fetches a finished job's result and records from its cluster and keeps them; any other end is kept without. */
  private async keepResult(clusterId: string, jobId: string, finished: boolean): Promise<void> {
    const { store, clusters, maxResultBytes, logger } = this.options;
    try {
      const gateway = finished ? await clusters.gateway(clusterId) : undefined;
      const result = await gateway?.jobResultRecord(jobId, maxResultBytes, AbortSignal.timeout(60_000));
      if (finished && !result)
        logger.warn(
          { jobId, maxResultBytes },
          'a finished job’s result is larger than what is kept for replay: a later driver attempt runs it again',
        );
      const job = await store.jobs.get(jobId);
      await store.driverSubmissions.ended(jobId, {
        status: job.status,
        ...(result ? { result } : {}),
        endTime: job.endTime ?? new Date(),
      });
    } catch (error) {
      logger.warn({ err: error, jobId }, 'the result of a driver’s job could not be kept for replay');
    }
  }
}
