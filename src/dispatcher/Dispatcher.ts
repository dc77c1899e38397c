/**
 * The Dispatcher of a session cluster (Flink's Dispatcher): accepts jobs, runs a job master for
 * each on the resource manager's slots and task executors, answers for the jobs it knows (summaries,
 * results with collected records, task output), keeps the cluster's job event log, and shuts the
 * cluster down when asked. It holds everything in memory, each kind of data within a bound
 * ({@link DISPATCHER_DEFAULTS}). It knows nothing of gRPC: `dispatcherService.ts` adapts it.
 */
import { AlreadyExistsError, NotFoundError, UnavailableError } from '../common/errors.js';
import { newId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import { isTerminalJobStatus, type LivingPriority } from '../common/status.js';
import type { JobGraph } from '../jobgraph/jobGraph.js';
import { compileDispatcherOptions, type CompiledDispatcherOptions, type DispatcherOptions } from './DispatcherOptions.js';
import { DispatcherJob, type TaskExecutionStateReport } from './DispatcherJob.js';
import type { JobEvent } from './JobEvent.js';
import { JobEventLog } from './JobEventLog.js';
import type { OutputChunk, OutputStream } from './JobOutputLog.js';
import { decodeJobPageToken, encodeJobPageToken } from './jobPageToken.js';
import type { JobResult } from './JobResult.js';
import type { JobSummary } from './JobSummary.js';
import { submissionFingerprint } from './submissionFingerprint.js';

export type { TaskExecutionStateReport } from './DispatcherJob.js';

/** A job to submit. */
export interface JobSubmission {
  graph: JobGraph;
  livingPriority: LivingPriority;
  /** Empty when the job belongs to no application. */
  applicationId: string;
  /** The submitter's id for this submission: the same id again returns the first job (idempotent retries). */
  requestId?: string;
}

/** A page of {@link Dispatcher.listJobs}. */
export interface JobPage {
  /** Newest first. */
  jobs: JobSummary[];
  /** The token of the next page; empty on the last page. */
  nextPageToken: string;
}

/** How many of the kept jobs are in which group of statuses (for RequestClusterOverview). */
export interface JobCounts {
  /** Not yet in a terminal status. */
  running: number;
  finished: number;
  cancelled: number;
  failed: number;
}

/** What {@link Dispatcher.watchJobEvents} asks for. */
export interface WatchJobEventsRequest {
  /** Events after this cluster-wide sequence; 0 for all kept events. */
  afterSequence: number;
  /** Only this job's events, when set; a followed watch of one job ends after the job's terminal status. */
  jobId?: string;
  /** Keep yielding new events after the recorded ones. */
  follow: boolean;
  /** The caller's signal: aborting it releases the watch. */
  signal?: AbortSignal;
}

/** Page sizes of ListJobs: the default for 0, and the cap. */
export const LIST_JOBS_PAGE_SIZE = { default: 50, max: 1000 } as const;

/** The jobs of one cluster. */
export class Dispatcher {
  private readonly options: CompiledDispatcherOptions;
  private readonly logger: Logger;
  /** In submission order. */
  private readonly jobs = new Map<string, DispatcherJob>();
  private readonly requests = new Map<string, { jobId: string; fingerprint: string }>();
  /** Ids of ended jobs, in the order they ended, for forgetting the oldest. */
  private readonly endedJobIds: string[] = [];
  private readonly events: JobEventLog;
  private nextOrdinal = 1;
  private shuttingDown: Promise<void> | undefined;
  private readonly onTaskExecutorLost = (taskExecutorId: string, reason: string) => {
    for (const job of this.jobs.values()) if (!job.ended) job.master.taskExecutorLost(taskExecutorId, reason);
  };

  constructor(options: DispatcherOptions) {
    this.options = compileDispatcherOptions(options);
    this.logger = this.options.logger;
    this.events = new JobEventLog(this.options.maxRetainedEvents);
    this.options.resources.on('taskExecutorLost', this.onTaskExecutorLost);
  }

  /**
   * Accepts a job and starts scheduling it; resolves with its id. A request id seen before returns
   * the first job's id when the submission is the same, and is ALREADY_EXISTS when it differs.
   * UNAVAILABLE once the cluster is shutting down.
   */
  async submitJob({ graph, livingPriority, applicationId, requestId }: JobSubmission): Promise<string> {
    if (this.shuttingDown) throw new UnavailableError('the cluster is shutting down and accepts no more jobs');
    const fingerprint = requestId ? submissionFingerprint(graph, livingPriority, applicationId) : '';
    if (requestId) {
      const earlier = this.requests.get(requestId);
      if (earlier && earlier.fingerprint === fingerprint) return earlier.jobId;
      if (earlier) {
        throw new AlreadyExistsError(
          `request id "${requestId}" was already used for job ${earlier.jobId} with a different job graph, priority or application; use a new request id for a new job`,
        );
      }
    }
    const jobId = newId('job');
    const job = new DispatcherJob({
      jobId,
      graph,
      livingPriority,
      applicationId,
      ordinal: this.nextOrdinal++,
      dispatcher: this.options,
      events: this.events,
      onEnded: (ended) => this.jobEnded(ended),
    });
    this.jobs.set(jobId, job);
    if (requestId) this.requests.set(requestId, { jobId, fingerprint });
    job.start();
    return jobId;
  }

  /** One job; NOT_FOUND naming the id when the cluster does not know it. */
  getJob(jobId: string): JobSummary {
    return this.job(jobId).summary();
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
   * that already ended is returned unchanged.
   */
  cancelJob(jobId: string): JobSummary {
    const job = this.job(jobId);
    if (!job.ended && job.status !== 'CANCELLING') {
      job.master.cancel().catch((error: unknown) => this.logger.error({ err: error, jobId }, 'cancelling the job failed'));
    }
    return job.summary();
  }

  /** Resolves when the job has ended, with its status, failure, duration and collected records. */
  async requestJobResult(jobId: string): Promise<JobResult> {
    return this.job(jobId).result();
  }

  /** Forwards a task's new state to its job master; false for an unknown job or a stale attempt. */
  updateTaskExecutionState(report: TaskExecutionStateReport): boolean {
    return this.jobs.get(report.jobId)?.updateTaskExecutionState(report) ?? false;
  }

  /**
   * Keeps records a collect() sink attempt sent (`sizeBytes` is their encoded size, what the limit
   * counts); false when the job or attempt is not current, so the records do not count.
   */
  reportCollectedRecords(jobId: string, executionAttemptId: string, records: readonly unknown[], sizeBytes: number): boolean {
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
   * OUT_OF_RANGE when iterating, naming the oldest kept sequence.
   */
  watchJobEvents({ afterSequence, jobId, follow, signal }: WatchJobEventsRequest): AsyncIterable<JobEvent> {
    const job = jobId === undefined ? undefined : this.job(jobId);
    return this.events.watch({ afterSequence, jobId, follow, signal, until: job && (() => job.ended) });
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
        this.options.resources.taskExecutors().map(({ taskExecutorId, gateway }) =>
          gateway.shutDown(reason).catch((error: unknown) => this.logger.warn({ err: error, taskExecutorId }, 'a task executor did not confirm the shutdown')),
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
    if (!job) throw new NotFoundError(`job ${JSON.stringify(jobId)} is not known to this cluster (it never ran here, or ended long enough ago to be forgotten)`);
    return job;
  }

  /** Remembers the order in which jobs end, and forgets the oldest ended jobs past the limit. */
  private jobEnded(job: DispatcherJob): void {
    this.endedJobIds.push(job.jobId);
    while (this.endedJobIds.length > this.options.maxRetainedEndedJobs) {
      const forgotten = this.endedJobIds.shift()!;
      this.jobs.delete(forgotten);
      this.events.forgetJob(forgotten);
      for (const [requestId, request] of this.requests) if (request.jobId === forgotten) this.requests.delete(requestId);
    }
  }
}
