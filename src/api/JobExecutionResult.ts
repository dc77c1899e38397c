/**
 * What a finished job hands back to `main()` (Flink's JobExecutionResult): its id, how long it
 * ran, and the records of its collect sinks. Collect sinks are named by the id of the vertex that
 * ends in them; `DataStream.executeAndCollect()` looks its own sink up that way.
 */
import { InvalidArgumentError } from '../common/errors.js';

/** The result of a job that ended FINISHED. */
export class JobExecutionResult {
  /**
   * @param jobId the job's id.
   * @param netRuntime how long the job ran, in milliseconds.
   * @param collected the records of each collect sink, by sink (vertex) id.
   * @param collectSinkIds the ids of every collect sink of the job, including those that produced nothing.
   */
  constructor(
    private readonly jobId: string,
    private readonly netRuntime: number,
    private readonly collected: ReadonlyMap<string, unknown[]>,
    private readonly collectSinkIds: ReadonlySet<string>,
  ) {}

  /** The job's id. */
  getJobID(): string {
    return this.jobId;
  }

  /** How long the job ran, in milliseconds. */
  getNetRuntime(): number {
    return this.netRuntime;
  }

  /** The records a collect sink produced, in the order they arrived; empty when it produced none. */
  getCollected<T = unknown>(sinkId: string): T[] {
    if (!this.collectSinkIds.has(sinkId)) {
      const known = [...this.collectSinkIds].join(', ') || 'none';
      throw new InvalidArgumentError(`job ${this.jobId} has no collect sink "${sinkId}" (its collect sinks: ${known})`);
    }
    return [...((this.collected.get(sinkId) ?? []) as T[])];
  }
}
