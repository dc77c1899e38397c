/**
 * The job manager of a simulated cluster: a Dispatcher that takes submissions as a real one does
 * (job ids, request-id deduplication, cancellation, results, a driver's output) but, instead of
 * running jobs, plays their events from a {@link SimulationScript} at a set pace. A DRIVER job (or
 * an application-mode main job) plays a whole driver-mode application: the driver runs, "submits"
 * its jobs one after the other, returns, and the application ends FINISHED under FLIP-40's rules,
 * reported as the real Dispatcher reports it (`applicationStatusChanged` on the driver job). Its
 * event log and job output are the real Dispatcher's classes, so numbering, bounds and resumption
 * are the same. It lives in the memory of the process that simulates it and ends with that process.
 */
import { NotFoundError, UnavailableError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import {
  isTerminalExecutionState,
  isTerminalJobStatus,
  type ApplicationStatus,
  type ExecutionState,
  type JobStatus,
  type LivingPriority,
  type SerializedError,
} from '../../common/status.js';
import { ChangeNotifier } from '../../common/ChangeNotifier.js';
import type { JobEvent } from '../../runtime/JobEvent.js';
import { JobEventLog } from '../../runtime/JobEventLog.js';
import { JobOutputLog, type OutputChunk } from '../../common/JobOutputLog.js';
import type { SimulationScript } from './SimulationScript.js';

/** One vertex of a submitted job: its subtasks are the simulated tasks. */
export interface SimulatedVertex {
  id: string;
  name: string;
  parallelism: number;
}

/** A job handed to the simulated Dispatcher. */
export interface SimulatedJobSubmission {
  applicationId: string;
  /** The prefix of the names of the jobs a driver submits. */
  applicationName: string;
  jobName: string;
  livingPriority: LivingPriority;
  /** The same id again returns the first job. */
  requestId?: string;
  /** None for an application-mode main job (main() takes no slot). */
  vertices: readonly SimulatedVertex[];
}

/** How a job ended. */
export interface SimulatedJobResult {
  jobId: string;
  status: JobStatus;
  failure?: SerializedError;
  durationMs: number;
}

/** What the job manager of a simulated cluster is told at its start. */
export interface SimulatedJobManagerOptions {
  address: string;
  taskExecutors: number;
  script: SimulationScript;
}

/** One simulated job and its tasks' states. */
interface SimulatedJob {
  id: string;
  name: string;
  applicationId: string;
  livingPriority: LivingPriority;
  status: JobStatus;
  failure?: SerializedError;
  tasks: { vertex: SimulatedVertex; index: number; state: ExecutionState }[];
  createdAt: number;
  endedAt?: number;
  /** The request id it was submitted with, if any. */
  requestId?: string;
  output: JobOutputLog;
  run: ScriptRun;
}

/** The script of one submitted job (and, for a driver, of the jobs it submits), played step by step. */
interface ScriptRun {
  root: SimulatedJob;
  applicationName: string;
  /** Each step records at most one event; false when it had nothing to do (its job ended meanwhile). */
  steps: Array<() => boolean>;
  next: number;
  /** The run's jobs that have been created, the root first. */
  jobs: SimulatedJob[];
  timer?: { cancel(): void };
}

/** The newest job events a simulated job manager keeps (an owned cluster sees about 20). */
const EVENT_CAPACITY = 1024;
/** Ended jobs kept for results and output before the oldest are forgotten (a long-lived shared cluster). */
const ENDED_JOBS_KEPT = 1000;
const TASK_START: readonly ExecutionState[] = ['SCHEDULED', 'DEPLOYING', 'INITIALIZING', 'RUNNING'];

/** A simulated cluster's Dispatcher. */
export class SimulatedJobManager {
  private readonly log = new JobEventLog(EVENT_CAPACITY);
  private readonly jobs = new Map<string, SimulatedJob>();
  private readonly requestIds = new Map<string, string>();
  private readonly ended: SimulatedJob[] = [];
  private readonly runs = new Set<ScriptRun>();
  private readonly jobsChanged = new ChangeNotifier();
  private readonly lifetime = new AbortController();
  private stoppedBecause: string | undefined;

  constructor(readonly options: SimulatedJobManagerOptions) {}

  get address(): string {
    return this.options.address;
  }

  /** Undefined while it runs; why it was shut down after that. */
  get stopReason(): string | undefined {
    return this.stoppedBecause;
  }

  /** Accepts a job and starts playing its script; resolves with its id (the first job's for a request id seen before). */
  submit(submission: SimulatedJobSubmission): string {
    this.checkRunning();
    const earlier = submission.requestId ? this.requestIds.get(submission.requestId) : undefined;
    if (earlier) return earlier;
    const run: ScriptRun = {
      root: undefined as unknown as SimulatedJob,
      applicationName: submission.applicationName,
      steps: [],
      next: 0,
      jobs: [],
    };
    const root = this.newJob(submission, run);
    run.root = root;
    if (submission.requestId) {
      root.requestId = submission.requestId;
      this.requestIds.set(submission.requestId, root.id);
    }
    this.create(root);
    run.steps = this.steps(run);
    this.runs.add(run);
    this.scheduleNext(run);
    return root.id;
  }

  /** Cancels a job: a driver's whole application (every job it submitted, then the application, CANCELED); an ended job stays as it is. */
  cancel(jobId: string): void {
    this.checkRunning();
    const job = this.job(jobId);
    if (isTerminalJobStatus(job.status)) return;
    if (job !== job.run.root) {
      this.cancelJob(job);
      return;
    }
    this.stopRun(job.run);
    for (const other of job.run.jobs) if (other !== job && !isTerminalJobStatus(other.status)) this.cancelJob(other);
    this.cancelJob(job);
    if (job.livingPriority === 'DRIVER')
      this.applicationStatus(job, 'CANCELED', 'the driver job was cancelled (simulated cluster)');
  }

  /** Resolves with the job's result once it has ended. */
  async result(jobId: string, signal?: AbortSignal): Promise<SimulatedJobResult> {
    const job = this.job(jobId);
    const watching = this.watchSignal(signal);
    try {
      while (!isTerminalJobStatus(job.status)) await this.jobsChanged.wait(watching);
    } catch (error) {
      throw this.stoppedError(error, signal);
    }
    return {
      jobId: job.id,
      status: job.status,
      failure: job.failure,
      durationMs: (job.endedAt ?? Date.now()) - job.createdAt,
    };
  }

  /** The cluster's job events after `afterSequence`, then live ones, until `signal` aborts; UNAVAILABLE once the cluster was shut down. */
  async *watchEvents(afterSequence: number, signal: AbortSignal): AsyncGenerator<JobEvent, void, undefined> {
    this.checkRunning();
    try {
      yield* this.log.watch({ afterSequence, follow: true, signal: this.watchSignal(signal) });
    } catch (error) {
      throw this.stoppedError(error, signal);
    }
  }

  /** What the job wrote (a driver writes one line when its main() starts), from `offset`, following until the job ended. */
  async *readOutput(
    jobId: string,
    offset: number,
    follow: boolean,
    signal?: AbortSignal,
  ): AsyncGenerator<OutputChunk, void, undefined> {
    const job = this.job(jobId);
    try {
      yield* job.output.read(offset, follow, this.watchSignal(signal));
    } catch (error) {
      throw this.stoppedError(error, signal);
    }
  }

  /** How many task executors the cluster has (none of them a process), each by its member name. */
  overview(): { taskExecutors: number; registered: { id: string }[] } {
    this.checkRunning();
    const { taskExecutors } = this.options;
    return {
      taskExecutors,
      registered: Array.from({ length: taskExecutors }, (_, index) => ({ id: `taskexecutor-${index}` })),
    };
  }

  /** Shuts the cluster down: its jobs are cancelled (with their events), then every call answers UNAVAILABLE. */
  shutDown(reason: string): void {
    if (this.stoppedBecause !== undefined) return;
    for (const run of [...this.runs]) if (!isTerminalJobStatus(run.root.status)) this.cancel(run.root.id);
    this.stoppedBecause = reason;
    this.lifetime.abort();
  }

  private job(jobId: string): SimulatedJob {
    const job = this.jobs.get(jobId);
    if (!job) throw new NotFoundError(`job ${jobId} is not known to the simulated job manager at ${this.address}`);
    return job;
  }

  private checkRunning(): void {
    if (this.stoppedBecause !== undefined) throw this.goneError();
  }

  private goneError(): UnavailableError {
    return new UnavailableError(`the simulated job manager at ${this.address} was shut down: ${this.stoppedBecause}`);
  }

  /** The caller's signal, aborted too when the cluster shuts down. */
  private watchSignal(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.lifetime.signal]) : this.lifetime.signal;
  }

  /** An abort caused by the shutdown (not by the caller) as UNAVAILABLE, as a real job manager's stream ends. */
  private stoppedError(error: unknown, signal: AbortSignal | undefined): unknown {
    return this.lifetime.signal.aborted && !signal?.aborted ? this.goneError() : error;
  }

  private newJob(
    submission: Omit<SimulatedJobSubmission, 'requestId' | 'applicationName'>,
    run: ScriptRun,
  ): SimulatedJob {
    const id = newId('job');
    const tasks = submission.vertices.flatMap((vertex) =>
      Array.from({ length: vertex.parallelism }, (_, index) => ({ vertex, index, state: 'CREATED' as ExecutionState })),
    );
    return {
      id,
      name: submission.jobName,
      applicationId: submission.applicationId,
      livingPriority: submission.livingPriority,
      status: 'CREATED',
      tasks,
      createdAt: Date.now(),
      output: new JobOutputLog(id, 64 * 1024),
      run,
    };
  }

  /** The steps of a run: the root job's life and, for a driver, its application's. */
  private steps(run: ScriptRun): Array<() => boolean> {
    const { root } = run;
    const steps: Array<() => boolean> = [];
    const onJob = (job: SimulatedJob, step: () => void) => () => {
      if (isTerminalJobStatus(job.status)) return false;
      step();
      return true;
    };
    const startJob = (job: SimulatedJob) => {
      steps.push(onJob(job, () => this.setStatus(job, 'RUNNING')));
      for (const state of TASK_START)
        for (const task of job.tasks) steps.push(onJob(job, () => this.setTaskState(job, task, state)));
    };
    const finishJob = (job: SimulatedJob) => {
      for (const task of job.tasks) steps.push(onJob(job, () => this.setTaskState(job, task, 'FINISHED')));
      steps.push(onJob(job, () => this.setStatus(job, 'FINISHED')));
    };
    startJob(root);
    if (root.livingPriority === 'DAEMON') return steps;
    if (root.livingPriority === 'DRIVER') {
      steps.push(
        onJob(root, () => {
          root.output.append(
            'stdout',
            Buffer.from(`main() of application ${root.applicationId} runs on a simulated cluster (no process)\n`),
          );
          this.applicationStatus(root, 'RUNNING', 'the driver is running (simulated cluster)');
        }),
      );
      const { jobsPerApplication, tasksPerJob } = this.options.script;
      for (let number = 1; number <= jobsPerApplication; number++) {
        const vertices = [{ id: 'simulated', name: 'Simulated Task', parallelism: tasksPerJob }];
        const job = this.newJob(
          {
            applicationId: root.applicationId,
            jobName: `${run.applicationName}: simulated job ${number}`,
            livingPriority: 'NORMAL',
            vertices,
          },
          run,
        );
        steps.push(onJob(root, () => this.create(job)));
        startJob(job);
        finishJob(job);
      }
    }
    finishJob(root);
    if (root.livingPriority === 'DRIVER') {
      steps.push(() => {
        if (root.status !== 'FINISHED') return false;
        this.applicationStatus(root, 'FINISHED', 'every job of the application has ended (simulated cluster)');
        return true;
      });
    }
    return steps;
  }

  /** Plays the run's next step after the script's pause. */
  private scheduleNext(run: ScriptRun): void {
    const play = () => {
      run.timer = undefined;
      while (run.next < run.steps.length && !run.steps[run.next++]());
      if (run.next >= run.steps.length) this.runs.delete(run);
      else this.scheduleNext(run);
    };
    const interval = this.options.script.eventIntervalMs;
    if (interval > 0) {
      const timer = setTimeout(play, interval);
      run.timer = { cancel: () => clearTimeout(timer) };
    } else {
      const immediate = setImmediate(play);
      run.timer = { cancel: () => clearImmediate(immediate) };
    }
  }

  private stopRun(run: ScriptRun): void {
    run.timer?.cancel();
    run.timer = undefined;
    run.next = run.steps.length;
    this.runs.delete(run);
  }

  private create(job: SimulatedJob): void {
    job.createdAt = Date.now();
    this.jobs.set(job.id, job);
    job.run.jobs.push(job);
    this.record(job, {
      type: 'jobStatusChanged',
      jobId: job.id,
      jobName: job.name,
      status: 'CREATED',
      livingPriority: job.livingPriority,
    });
  }

  private setStatus(job: SimulatedJob, status: JobStatus): void {
    job.status = status;
    this.record(job, {
      type: 'jobStatusChanged',
      jobId: job.id,
      jobName: job.name,
      status,
      failure: job.failure,
      livingPriority: job.livingPriority,
    });
    if (isTerminalJobStatus(status)) this.jobEnded(job);
    this.jobsChanged.notify();
  }

  private setTaskState(job: SimulatedJob, task: SimulatedJob['tasks'][number], state: ExecutionState): void {
    task.state = state;
    this.record(job, {
      type: 'taskStateChanged',
      jobId: job.id,
      vertexId: task.vertex.id,
      vertexName: task.vertex.name,
      subtaskIndex: task.index,
      attemptNumber: 0,
      state,
      taskExecutorId: `simulated-taskexecutor-${task.index % Math.max(1, this.options.taskExecutors)}`,
    });
  }

  private cancelJob(job: SimulatedJob): void {
    this.setStatus(job, 'CANCELLING');
    for (const task of job.tasks)
      if (task.state !== 'CREATED' && !isTerminalExecutionState(task.state)) this.setTaskState(job, task, 'CANCELED');
    this.setStatus(job, 'CANCELED');
  }

  private applicationStatus(driver: SimulatedJob, status: ApplicationStatus, message: string): void {
    this.record(driver, { type: 'applicationStatusChanged', status, message });
  }

  private record(job: SimulatedJob, kind: JobEvent['kind']): void {
    this.log.append(job.id, job.applicationId, kind);
  }

  /** An ended job's output is complete; past {@link ENDED_JOBS_KEPT} the oldest ended jobs are forgotten. */
  private jobEnded(job: SimulatedJob): void {
    job.endedAt = Date.now();
    job.output.close();
    this.ended.push(job);
    while (this.ended.length > ENDED_JOBS_KEPT) {
      const forgotten = this.ended.shift()!;
      this.jobs.delete(forgotten.id);
      this.log.forgetJob(forgotten.id);
      if (forgotten.requestId) this.requestIds.delete(forgotten.requestId);
    }
  }
}
