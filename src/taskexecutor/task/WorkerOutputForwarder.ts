/**
 * Forwards what a task's worker thread writes to its stdout and stderr (a driver's console.log and
 * process.stdout.write): to this task executor's own stdout and stderr at once, and to the job
 * manager (ReportTaskOutput), which keeps each job's output for ReadJobOutput. Reports go out one
 * call at a time in the order the text was written; text written while a call is under way is
 * sent with the next call (consecutive chunks of the same stream are joined, up to a bound), so a
 * chatty driver costs a few calls, not one per line.
 */
import type { Logger } from '../../common/logger.js';
import type { JobManagerGateway, TaskOutputStream } from '../../runtime/JobManagerGateway.js';

/** The job manager's side of task output. */
export type TaskOutputReporter = Pick<JobManagerGateway, 'reportTaskOutput'>;

/** What a {@link WorkerOutputForwarder} forwards for. */
export interface WorkerOutputForwarderOptions {
  jobId: string;
  executionAttemptId: string;
  reporter: TaskOutputReporter;
  /** Writes text locally (the task executor's own stdout or stderr). */
  writeLocal(stream: TaskOutputStream, data: Uint8Array): void;
  logger: Logger;
}

/** The most bytes joined into one report. */
export const MAX_REPORT_BYTES = 256 * 1024;

/** The stdout and stderr of one task. */
export class WorkerOutputForwarder {
  private readonly queue: Array<{ stream: TaskOutputStream; chunks: Buffer[]; bytes: number }> = [];
  private sending: Promise<void> | undefined;
  private closed = false;
  private warned = false;

  constructor(private readonly options: WorkerOutputForwarderOptions) {}

  /** Takes what the worker wrote to `stream`: written locally now, reported in order. Ignored once closed. */
  write(stream: TaskOutputStream, data: Buffer): void {
    if (this.closed || data.byteLength === 0) return;
    this.options.writeLocal(stream, data);
    const last = this.queue.at(-1);
    if (last && last.stream === stream && last.bytes + data.byteLength <= MAX_REPORT_BYTES) {
      last.chunks.push(data);
      last.bytes += data.byteLength;
    } else {
      this.queue.push({ stream, chunks: [data], bytes: data.byteLength });
    }
    this.sending ??= this.drain();
  }

  /** Stops taking output; resolves once everything taken has been reported (or failed to be). */
  async close(): Promise<void> {
    this.closed = true;
    await this.sending;
  }

  private async drain(): Promise<void> {
    const { jobId, executionAttemptId, reporter } = this.options;
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
      try {
        await reporter.reportTaskOutput(jobId, executionAttemptId, next.stream, Buffer.concat(next.chunks, next.bytes));
      } catch (error) {
        if (!this.warned)
          this.options.logger.warn(
            { err: error },
            "could not forward the task's output to the job manager; it stays in this process's output",
          );
        this.warned = true;
      }
    }
    this.sending = undefined;
  }
}
