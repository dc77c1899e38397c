/**
 * How a job ended, as RequestJobResult reports it (Flink's JobResult). A failure or a cancellation
 * is a result, not an error: the caller decides what it means.
 */
import type { JobStatus, SerializedError } from '../common/status.js';

/** The end of one job. */
export interface JobResult {
  jobId: string;
  /** FINISHED, FAILED or CANCELED. */
  status: JobStatus;
  /** Why the job failed, when it did. */
  failure?: SerializedError;
  /** From submission to the terminal status. */
  durationMs: number;
  /**
   * The records of each collect() sink vertex, by vertex id, from the attempts that finished, in
   * subtask order; empty unless the job FINISHED.
   */
  collected: Map<string, unknown[]>;
}
