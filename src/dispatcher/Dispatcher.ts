/**
 * The Dispatcher of a session cluster (Flink's Dispatcher): accepts jobs, runs a job master for
 * each on the resource manager's slots and task executors, answers for the jobs it knows (summaries,
 * results with collected records, task output), keeps the cluster's job event log, ends driver-mode
 * applications by FLIP-40's rules ({@link DriverApplications}), runs applications' `main()` in
 * this process in application mode (as main jobs, {@link ApplicationMainRunner}), and shuts the
 * cluster down when asked. It holds everything in memory, each kind of data within a bound ({@link DISPATCHER_DEFAULTS}).
 * It knows nothing of gRPC: `service/dispatcherService.ts` adapts it.
 */
import { AlreadyExistsError, FailedPreconditionError, NotFoundError, UnavailableError } from '../common/errors.js';
import { newId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import { BundleUriRoots } from '../bundle/BundleUriRoots.js';
import { checkBundleUri } from '../bundle/localBundleFolder.js';
import type { BundleReference } from '../jobgraph/jobGraph.js';
import { isTerminalJobStatus, type LivingPriority } from '../common/status.js';
import type { JobGraph } from '../jobgraph/jobGraph.js';
import { applicationMainDeployment, applicationMainJobGraph } from './applicationMainJob.js';
import { ApplicationMainRunner } from './ApplicationMainRunner.js';
import {
  compileDispatcherOptions,
  type CompiledDispatcherOptions,
  type DispatcherOptions,
} from './DispatcherOptions.js';
import { DispatcherJob, type DispatcherJobOptions, type TaskExecutionStateReport } from './DispatcherJob.js';
import type {
  ApplicationMainSubmission,
  JobCounts,
  JobPage,
  JobSubmission,
  SavepointRequest,
  SavepointResult,
  WatchJobEventsRequest,
} from './DispatcherRequests.js';
import type { ApplicationSummary } from './DriverApplication.js';
import { DriverApplications } from './DriverApplications.js';
import { EndedJobs } from './EndedJobs.js';
import type { DispatcherEventKind, JobEvent } from '../runtime/JobEvent.js';
import { JobEventLog } from '../runtime/JobEventLog.js';
import type { OutputChunk, OutputStream } from '../common/JobOutputLog.js';
import { decodeJobPageToken, encodeJobPageToken } from './jobPageToken.js';
import type { JobResult } from './JobResult.js';
import type { JobSummary } from './JobSummary.js';
import { requestFingerprint } from '../common/requestFingerprint.js';
import { serializeError } from '../common/status.js';
import { jobGraphFingerprint } from '../jobgraph/jobGraphFingerprint.js';
import type { DriverSubmissionRef } from '../runtime/JobEvent.js';
import { decideReplay, type DriverReplay, type ReplayDecision } from './DriverReplay.js';
import { NonDeterministicDriverError } from './NonDeterministicDriverError.js';
import { ReplayedJobs } from './ReplayedJobs.js';
import { isAbsolute } from 'node:path';
import { InvalidArgumentError } from '../common/errors.js';
import { checkpointingSettingsOf, SAVEPOINTS_DIRECTORY_PROPERTY } from '../jobgraph/CheckpointingSettings.js';
import { withOperatorIds } from '../jobgraph/operatorIds.js';
import type { CompletedCheckpoint } from '../jobmaster/checkpoint/CompletedCheckpoint.js';
import { loadSavepoint } from '../jobmaster/checkpoint/SavepointRestore.js';
import { ApplicationRestoreClaims } from './ApplicationRestoreClaims.js';

/** The application name a driver job graph's driver operator carries (the prefix of its jobs' names). */
function driverApplicationNameOf(graph: JobGraph): string {
  const driver = graph.vertices[0]?.operators[0];
  return driver?.kind === 'driver' ? driver.applicationName : '';
}

export type { TaskExecutionStateReport } from './DispatcherJob.js';
export type { ApplicationSummary } from './DriverApplication.js';
export type {
  ApplicationMainSubmission,
  JobCounts,
  JobPage,
  JobSubmission,
  WatchJobEventsRequest,
} from './DispatcherRequests.js';

/** Page sizes of ListJobs: the default for 0, and the cap. */
export const LIST_JOBS_PAGE_SIZE = { default: 50, max: 1000 } as const;

/** The jobs of one cluster. */
export class Dispatcher {
  private readonly options: CompiledDispatcherOptions;
  private readonly logger: Logger;
  private readonly bundleUriRoots: BundleUriRoots;
  /** In submission order. */
  private readonly jobs = new Map<string, DispatcherJob>();
  private readonly requests = new Map<string, { jobId: string; fingerprint: string }>();
  private readonly endedJobs: EndedJobs;
  private readonly events: JobEventLog<DispatcherEventKind>;
  private readonly applications: DriverApplications;
  private readonly replayedJobs: ReplayedJobs;
  private nextOrdinal = 1;
  private shuttingDown: Promise<void> | undefined;
  private readonly onTaskExecutorLost = (taskExecutorId: string, reason: string) => {
    for (const job of this.jobs.values()) if (!job.ended) job.master.taskExecutorLost(taskExecutorId, reason);
  };

  constructor(options: DispatcherOptions) {
    this.options = compileDispatcherOptions(options);
    this.logger = this.options.logger;
    this.bundleUriRoots = this.options.bundleUriRoots ?? BundleUriRoots.none('job manager');
    this.events = new JobEventLog<DispatcherEventKind>(this.options.maxRetainedEvents);
    this.endedJobs = new EndedJobs(this.options.maxRetainedEndedJobs);
    this.replayedJobs = new ReplayedJobs(this.options.maxRetainedEndedJobs);
    this.applications = new DriverApplications({
      cancelJob: (jobId) => this.job(jobId).master.cancel(),
      record: (application, change) => this.events.append(application.driverJobId, application.applicationId, change),
      onEnded: () => this.forgetEndedJobs(),
      logger: this.logger,
    });
    this.options.resources.on('taskExecutorLost', this.onTaskExecutorLost);
  }

  /**
   * Accepts a job and starts scheduling it; resolves with its id. A request id seen before returns
   * the first job's id when the submission is the same, and is ALREADY_EXISTS when it differs.
   * UNAVAILABLE once the cluster is shutting down. A DRIVER job starts its application here (it
   * needs an application id, INVALID_ARGUMENT otherwise); a second DRIVER job of an application, or
   * any job of an application that is ending or over, is FAILED_PRECONDITION, as is a bundle uri
   * outside this job manager's `--bundle-uri-root`s.
   */
  async submitJob({
    graph,
    livingPriority,
    applicationId,
    requestId,
    driverOrdinal,
    driverReplay,
    restore,
  }: JobSubmission): Promise<string> {
    if (this.shuttingDown) throw new UnavailableError('the cluster is shutting down and accepts no more jobs');
    if (graph.bundle) this.checkBundleUri(graph.bundle);
    const fingerprint = requestId ? requestFingerprint({ graph, livingPriority, applicationId }) : '';
    const earlier = this.earlierJobOf(requestId, fingerprint, 'job graph, priority or application');
    if (earlier) return earlier;
    if (livingPriority === 'DRIVER')
      return this.addJob({ graph, livingPriority, applicationId }, requestId, fingerprint, undefined, {
        replay: driverReplay,
        restoreClaims: restore && new ApplicationRestoreClaims(driverApplicationNameOf(graph), restore),
      });
    withOperatorIds(graph);
    // A job main() submits in driver or application mode claims the savepoint filed under its name.
    const claims = applicationId ? this.applications.find(applicationId)?.restore : undefined;
    const restoring = claims?.claim(graph) ?? graph;
    let restored: CompletedCheckpoint | undefined;
    try {
      restored = await this.loadRestore(restoring);
    } catch (error) {
      if (restoring !== graph) claims?.release(restoring);
      throw error;
    }
    const again = this.earlierJobOf(requestId, fingerprint, 'job graph, priority or application');
    if (again) return again;
    if (driverOrdinal && applicationId)
      return this.submitOfDriver({ graph, livingPriority, applicationId }, driverOrdinal, restoring, restored);
    return this.addJob({ graph: restoring, livingPriority, applicationId }, requestId, fingerprint, undefined, {
      restore: restored,
    });
  }

  /**
   * The state a job restores from, re-sliced for its graph: undefined when its graph names no
   * savepoint. FAILED_PRECONDITION when the job takes no checkpoints, or the savepoint is missing,
   * unreadable or does not fit the graph (SavepointRestore.ts); skipped state is logged.
   */
  private async loadRestore(graph: JobGraph): Promise<CompletedCheckpoint | undefined> {
    const settings = graph.savepoint;
    if (!settings) return undefined;
    if ((graph.runtimeMode ?? 'STREAMING') !== 'STREAMING' || !checkpointingSettingsOf(graph.properties))
      throw new FailedPreconditionError(
        `job "${graph.name}" is to restore from the savepoint ${settings.path} but takes no checkpoints: a job restores state only as a STREAMING job with checkpointing enabled (env.enableCheckpointing(ms))`,
      );
    const restored = await loadSavepoint(settings, withOperatorIds(graph));
    if (restored.skipped.length > 0)
      this.logger.warn(
        { savepoint: restored.folder, skipped: restored.skipped },
        `job "${graph.name}" restores from ${restored.folder} without the state of ${restored.skipped.join(', ')}, which maps to no operator of it (allow_non_restored_state)`,
      );
    else this.logger.info({ savepoint: restored.folder }, `job "${graph.name}" restores from ${restored.folder}`);
    return restored.checkpoint;
  }

  /**
   * A driver's submission at `ordinal` of its attempt: matched to the earlier attempts' record
   * ({@link decideReplay}): answered from the record, attached to a job that runs here, run again
   * under the same id, or run as a new job. Each says so in the job's status event. A submission
   * off the recorded path fails the application with a NonDeterministicDriverError.
   */
  private submitOfDriver(
    job: { graph: JobGraph; livingPriority: LivingPriority; applicationId: string },
    ordinal: number,
    restoring: JobGraph,
    restore: CompletedCheckpoint | undefined,
  ) {
    const application = this.applications.find(job.applicationId);
    const fingerprint = jobGraphFingerprint(job.graph);
    let decision: ReplayDecision;
    try {
      decision = decideReplay(application?.replay, ordinal, fingerprint, job.graph.name, (id) => this.jobs.has(id));
    } catch (error) {
      if (error instanceof NonDeterministicDriverError) application?.fail(serializeError(error));
      throw error;
    }
    application?.submissionMade(ordinal);
    const submission = { attempt: application?.replay?.attempt ?? 1, ordinal, fingerprint };
    const run = { ...job, graph: restoring };
    if (decision.kind === 'new') return this.addJob(run, undefined, '', undefined, { submission, restore });
    const { recorded } = decision;
    const replayed = { ...submission, replayedAttempt: recorded.attempt };
    if (decision.kind === 'resubmit')
      return this.addJob(run, undefined, '', undefined, {
        jobId: recorded.jobId,
        submission: { ...replayed, replay: 'RESUBMITTED' },
        restore,
      });
    this.applications.admit(job.applicationId, job.livingPriority);
    const status =
      decision.kind === 'replay'
        ? this.replayedJobs.add({ ...recorded, result: recorded.result! }, job.applicationId, this.options.clusterId)
            .summary.status
        : this.jobs.get(recorded.jobId)!.status;
    this.events.append(recorded.jobId, job.applicationId, {
      type: 'jobStatusChanged',
      jobId: recorded.jobId,
      jobName: recorded.jobName,
      status,
      livingPriority: job.livingPriority,
      submission: { ...replayed, replay: decision.kind === 'replay' ? 'REPLAYED' : 'ATTACHED' },
    });
    this.logger.info(
      { applicationId: job.applicationId, jobId: recorded.jobId, ordinal, from: recorded.attempt },
      decision.kind === 'replay'
        ? `submission ${ordinal} replayed from attempt ${recorded.attempt}'s record: job ${recorded.jobId} ${status}`
        : `submission ${ordinal} attached to job ${recorded.jobId} of attempt ${recorded.attempt} (${status})`,
    );
    return recorded.jobId;
  }

  /**
   * Runs an application's `main()` in this process (application mode) and resolves with the id of
   * its main job: a DRIVER job without tasks whose status follows `main()`, so FLIP-40's rules end
   * the application as in driver mode. What `main()` writes is the main job's output; cancelling
   * the main job or the application stops `main()`. A request id seen before returns the first
   * main job (ALREADY_EXISTS for a different submission). FAILED_PRECONDITION when this job manager
   * runs no `main()`, the application already has a driver or main job, or its bundle uri is
   * outside this job manager's `--bundle-uri-root`s; NOT_FOUND for a bundle
   * the blob server does not hold; UNAVAILABLE once the cluster is shutting down.
   */
  async runApplicationMain(submission: ApplicationMainSubmission): Promise<string> {
    if (this.shuttingDown) throw new UnavailableError('the cluster is shutting down and runs no more applications');
    const host = this.options.mainHost;
    if (!host)
      throw new FailedPreconditionError(
        'this job manager was started without a place to run main() (application mode); submit a driver job instead',
      );
    const { requestId, ...request } = submission;
    const fingerprint = requestId ? requestFingerprint({ main: request }) : '';
    const earlier = this.earlierJobOf(requestId, fingerprint, 'application main()');
    if (earlier) return earlier;
    const { bundle, applicationId } = submission;
    this.checkBundleUri(bundle);
    if ('artifactId' in bundle && !host.hasBundle(bundle.artifactId)) {
      throw new NotFoundError(
        `bundle ${bundle.artifactId} is not in this cluster's blob server; upload it (UploadArtifact) before running its main()`,
      );
    }
    return this.addJob(
      { graph: applicationMainJobGraph(submission), livingPriority: 'DRIVER', applicationId },
      requestId,
      fingerprint,
      (job, listener, logger) =>
        new ApplicationMainRunner({
          deployment: applicationMainDeployment(submission, job.jobId, this.options.jobmanagerAddress()),
          host,
          listener,
          logger,
          onMainRunning: () => this.applications.mainRunning(job, host.location),
          onOutput: (stream, data) => job.output.append(stream, data),
        }),
      {
        restoreClaims:
          submission.restore && new ApplicationRestoreClaims(submission.applicationName, submission.restore),
      },
    );
  }

  /**
   * Refuses, before anything runs, a bundle uri its task executors (or this process) would refuse:
   * one outside this job manager's roots.
   */
  private checkBundleUri(bundle: BundleReference): void {
    if ('uri' in bundle) checkBundleUri(bundle.uri, this.bundleUriRoots);
  }

  /** The job an earlier submission with `requestId` created, when it was the same; ALREADY_EXISTS when it differed. */
  private earlierJobOf(requestId: string | undefined, fingerprint: string, what: string): string | undefined {
    if (!requestId) return undefined;
    const earlier = this.requests.get(requestId);
    if (earlier && earlier.fingerprint === fingerprint) return earlier.jobId;
    if (earlier)
      throw new AlreadyExistsError(
        `request id "${requestId}" was already used for job ${earlier.jobId} with a different ${what}; use a new request id for a new job`,
      );
    return undefined;
  }

  /** Admits, records and starts a job; `createMaster` gives it a master other than a JobMaster (a main job). */
  private addJob(
    {
      graph,
      livingPriority,
      applicationId,
    }: { graph: JobGraph; livingPriority: LivingPriority; applicationId: string },
    requestId: string | undefined,
    fingerprint: string,
    createMaster?: DispatcherJobOptions['createMaster'],
    {
      jobId = newId('job'),
      submission,
      replay,
      restore,
      restoreClaims,
    }: {
      jobId?: string;
      submission?: DriverSubmissionRef;
      replay?: DriverReplay;
      /** The savepoint the job starts from. */
      restore?: CompletedCheckpoint;
      /** For a DRIVER job: the savepoints its main()'s jobs restore from. */
      restoreClaims?: ApplicationRestoreClaims;
    } = {},
  ): string {
    this.applications.admit(applicationId, livingPriority);
    const job = new DispatcherJob({
      jobId,
      graph,
      livingPriority,
      applicationId,
      ordinal: this.nextOrdinal++,
      dispatcher: this.options,
      events: this.events,
      onEnded: (ended) => this.jobEnded(ended),
      onStatusChanged: (changed, status, failure) => {
        this.options.metrics?.jobStatusChanged(status, changed.livingPriority, changed.master.getStartTime());
        this.applications.jobStatusChanged(changed, status, failure);
      },
      onTaskStateChanged: (changed, execution) => {
        if (execution.state === 'RUNNING') this.applications.taskRunning(changed, execution.slot.taskExecutorId);
      },
      createMaster,
      mainInJobManager: createMaster !== undefined,
      submission,
      restore,
    });
    const earlierJobs = () =>
      [...this.jobs.values()]
        .filter((other) => other !== job && other.applicationId === applicationId)
        .map((other) => ({ jobId: other.jobId, livingPriority: other.livingPriority, status: other.status }));
    this.jobs.set(jobId, job);
    if (requestId) this.requests.set(requestId, { jobId, fingerprint });
    this.applications.jobSubmitted(
      {
        jobId,
        applicationId,
        livingPriority,
        mainInJobManager: job.mainInJobManager,
        ...(replay ? { replay } : {}),
        ...(restoreClaims ? { restore: restoreClaims } : {}),
      },
      earlierJobs,
    );
    job.start();
    return jobId;
  }

  /** One job; NOT_FOUND naming the id when the cluster does not know it. */
  getJob(jobId: string): JobSummary {
    return this.replayedJobs.get(jobId)?.summary ?? this.job(jobId).summary();
  }

  /** A page of jobs, newest first; a page token this Dispatcher did not issue is INVALID_ARGUMENT. */
  listJobs({ pageSize, pageToken }: { pageSize: number; pageToken: string }): JobPage {
    const before = decodeJobPageToken(pageToken);
    const size = pageSize <= 0 ? LIST_JOBS_PAGE_SIZE.default : Math.min(pageSize, LIST_JOBS_PAGE_SIZE.max);
    const older = [...this.jobs.values()].filter((job) => job.ordinal < before).reverse();
    const page = older.slice(0, size);
    return {
      jobs: page.map((job) => job.summary()),
      nextPageToken: older.length > size ? encodeJobPageToken(page[page.length - 1].ordinal) : '',
    };
  }

  /**
   * Starts cancelling a job (CANCELLING, then CANCELED once its tasks stopped) and returns it; a job
   * that already ended is returned unchanged. Cancelling the driver job of an application that has
   * not ended cancels the application ({@link cancelApplication}), even when `main()` has returned.
   */
  cancelJob(jobId: string): JobSummary {
    const replayed = this.replayedJobs.get(jobId);
    if (replayed) return replayed.summary;
    const job = this.job(jobId);
    const application = this.applications.ofDriverJob(jobId, job.applicationId);
    if (application && !application.isOver) {
      application.cancel();
      return job.summary();
    }
    if (!job.ended && job.status !== 'CANCELLING') {
      job.master
        .cancel()
        .catch((error: unknown) => this.logger.error({ err: error, jobId }, 'cancelling the job failed'));
    }
    return job.summary();
  }

  /**
   * Starts cancelling an application with a driver job here (FLIP-40): the application is CANCELING,
   * every job of it is cancelled (the driver's too, even after `main()` returned), and once they
   * have ended it is CANCELED. An application that is ending or over is returned unchanged;
   * NOT_FOUND for an application without a driver job here.
   */
  cancelApplication(applicationId: string): ApplicationSummary {
    const application = this.applications.get(applicationId);
    application.cancel();
    return application.summary();
  }

  /** An application with a driver job here; NOT_FOUND otherwise. */
  getApplication(applicationId: string): ApplicationSummary {
    return this.applications.get(applicationId).summary();
  }

  /** Resolves when the job has ended, with its status, failure, duration and collected records. */
  async requestJobResult(jobId: string): Promise<JobResult> {
    return this.replayedJobs.get(jobId)?.result ?? this.job(jobId).result();
  }

  /** Forwards a task's new state to its job master; false for an unknown job or a stale attempt. */
  updateTaskExecutionState(report: TaskExecutionStateReport): boolean {
    return this.jobs.get(report.jobId)?.updateTaskExecutionState(report) ?? false;
  }

  /** Hands a task's checkpoint snapshot to its job's coordinator; false for an unknown job, attempt or checkpoint. */
  acknowledgeCheckpoint(jobId: string, executionAttemptId: string, checkpointId: number, state: Uint8Array): boolean {
    return this.jobs.get(jobId)?.master.acknowledgeCheckpoint(executionAttemptId, checkpointId, state) ?? false;
  }

  /**
   * Takes a savepoint of a running streaming job with checkpointing, stopping the job with it when
   * asked (stop-with-savepoint). Not implemented yet: UNIMPLEMENTED.
   */
  async triggerSavepoint(jobId: string, { targetDirectory, stop }: SavepointRequest): Promise<SavepointResult> {
    if (this.replayedJobs.get(jobId))
      throw new FailedPreconditionError(
        `job ${jobId} ran on an earlier cluster of its application and was only replayed here; it takes no savepoint`,
      );
    const job = this.job(jobId);
    const directory = targetDirectory ?? job.graph.properties[SAVEPOINTS_DIRECTORY_PROPERTY]?.trim();
    if (!directory)
      throw new InvalidArgumentError(
        `target_directory is required: job ${jobId} has no ${SAVEPOINTS_DIRECTORY_PROPERTY} property to take the savepoint's folder from`,
      );
    if (!isAbsolute(directory))
      throw new InvalidArgumentError(`target_directory must be an absolute folder, got "${directory}"`);
    if (!job.master.triggerSavepoint)
      throw new FailedPreconditionError(
        `job ${jobId} stands for an application's main() and has no state; take savepoints of the jobs main() submitted`,
      );
    const savepoint = await job.master.triggerSavepoint(directory, stop);
    this.logger.info(
      { jobId, checkpointId: savepoint.checkpointId, savepoint: savepoint.externalPath, stop },
      `savepoint ${savepoint.checkpointId} of job ${jobId} written to ${savepoint.externalPath}${stop ? '; the job stopped with it' : ''}`,
    );
    return { savepointPath: savepoint.externalPath!, checkpointId: savepoint.checkpointId };
  }

  /** Tells a job's coordinator that a task could not take its snapshot. */
  declineCheckpoint(jobId: string, executionAttemptId: string, checkpointId: number, reason: string): void {
    this.jobs.get(jobId)?.master.declineCheckpoint(executionAttemptId, checkpointId, reason);
  }

  /**
   * Keeps records a collect() sink attempt sent (`sizeBytes` is their encoded size, what the limit
   * counts); false when the job or attempt is not current, so the records do not count.
   */
  reportCollectedRecords(
    jobId: string,
    executionAttemptId: string,
    records: readonly unknown[],
    sizeBytes: number,
  ): boolean {
    return this.jobs.get(jobId)?.reportCollectedRecords(executionAttemptId, records, sizeBytes) ?? false;
  }

  /**
   * Appends what a task wrote to its job's output, whichever attempt wrote it (the output of a
   * failed attempt is what explains the failure); NOT_FOUND for an unknown job.
   */
  reportTaskOutput(jobId: string, _executionAttemptId: string, stream: OutputStream, data: Uint8Array): void {
    this.job(jobId).output.append(stream, data);
  }

  /**
   * The job's output from a byte offset, then, when following, new output until the job has ended
   * and everything was read. NOT_FOUND at once for an unknown job; an offset no longer kept is
   * OUT_OF_RANGE when iterating, naming the oldest kept offset.
   */
  readJobOutput(jobId: string, offset: number, follow: boolean, signal?: AbortSignal): AsyncIterable<OutputChunk> {
    return this.job(jobId).output.read(offset, follow, signal);
  }

  /**
   * The cluster's job events after a sequence, then, when following, live ones: in order, each
   * once, without gaps. NOT_FOUND at once for an unknown job; a sequence no longer kept is
   * OUT_OF_RANGE when iterating, naming the oldest kept sequence. A driver job's events include
   * its application's status changes, so a followed watch of a driver job lasts until the
   * application has ended, not only the job.
   */
  watchJobEvents({
    afterSequence,
    jobId,
    follow,
    signal,
  }: WatchJobEventsRequest): AsyncIterable<JobEvent<DispatcherEventKind>> {
    const job = jobId === undefined ? undefined : this.job(jobId);
    const until =
      job && (() => job.ended && this.applications.ofDriverJob(job.jobId, job.applicationId)?.isOver !== false);
    return this.events.watch({ afterSequence, jobId, follow, signal, until });
  }

  /** Of the attempts a task executor runs, those no job master wants running (it should cancel them). */
  unknownExecutionAttempts(runningExecutionAttemptIds: readonly string[]): string[] {
    const live = [...this.jobs.values()].filter((job) => !job.ended);
    return runningExecutionAttemptIds.filter((attemptId) => !live.some((job) => job.wantsRunning(attemptId)));
  }

  /** Counts of the jobs this Dispatcher keeps, by status group. */
  jobCounts(): JobCounts {
    const counts: JobCounts = { running: 0, finished: 0, cancelled: 0, failed: 0 };
    for (const job of this.jobs.values()) {
      const status = job.status;
      if (!isTerminalJobStatus(status)) counts.running++;
      else if (status === 'FINISHED') counts.finished++;
      else if (status === 'CANCELED') counts.cancelled++;
      else counts.failed++;
    }
    return counts;
  }

  /** How many followed event watches wait for new events now (each released when its caller goes away). */
  get waitingEventWatchers(): number {
    return this.events.waitingWatchers;
  }

  /** The number of jobs kept now (running and recently ended). */
  get size(): number {
    return this.jobs.size;
  }

  /**
   * Stops the cluster: refuses new jobs, cancels every running job and waits for it, asks every
   * task executor to shut down, then calls `onShutDown` (once this call has returned, so its caller
   * gets an answer first). Calling it again joins the shutdown under way.
   */
  shutDownCluster(reason: string): Promise<void> {
    this.shuttingDown ??= (async () => {
      this.logger.info({ reason }, 'shutting down the cluster');
      await Promise.all([...this.jobs.values()].filter((job) => !job.ended).map((job) => job.master.cancel()));
      await Promise.all(
        this.options.resources
          .taskExecutors()
          .map(({ taskExecutorId, gateway }) =>
            gateway
              .shutDown(reason)
              .catch((error: unknown) =>
                this.logger.warn({ err: error, taskExecutorId }, 'a task executor did not confirm the shutdown'),
              ),
          ),
      );
      setImmediate(() => this.options.onShutDown(reason));
    })();
    return this.shuttingDown;
  }

  /** Stops listening to the resource manager. Jobs are left as they are. */
  close(): void {
    this.options.resources.off('taskExecutorLost', this.onTaskExecutorLost);
  }

  private job(jobId: string): DispatcherJob {
    const job = this.jobs.get(jobId);
    if (!job)
      throw new NotFoundError(
        `job ${JSON.stringify(jobId)} is not known to this cluster (it never ran here, or ended long enough ago to be forgotten)`,
      );
    return job;
  }

  /** Remembers the order in which jobs end, and forgets the oldest ended jobs past the limit. */
  private jobEnded(job: DispatcherJob): void {
    this.endedJobs.add(job.jobId);
    this.forgetEndedJobs();
  }

  /** Forgets the oldest ended jobs past the limit, but not the driver job of an application that runs on. */
  private forgetEndedJobs(): void {
    const runsOn = (jobId: string) => {
      const job = this.jobs.get(jobId)!;
      return this.applications.ofDriverJob(jobId, job.applicationId)?.isOver === false;
    };
    for (const jobId of this.endedJobs.takeForgettable(runsOn)) {
      const job = this.jobs.get(jobId)!;
      this.jobs.delete(jobId);
      this.events.forgetJob(jobId);
      this.applications.forgetDriverJob(jobId, job.applicationId);
      for (const [requestId, request] of this.requests) if (request.jobId === jobId) this.requests.delete(requestId);
    }
  }
}
