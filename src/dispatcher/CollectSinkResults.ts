/**
 * The records a job's collect() sinks hand to the Dispatcher, kept per execution attempt until the
 * job ends. Only the final attempts count: the records of an attempt that fails or is cancelled,
 * and of every attempt when the job fails over, are dropped. When the job finishes, each sink
 * vertex's records are those of its subtasks concatenated in subtask order. The encoded size of
 * what is kept is bounded per job; crossing the bound is a {@link CollectLimitExceededError}.
 */
import type { JobGraph, JobVertex } from '../jobgraph/jobGraph.js';
import type { Execution } from '../jobmaster/Execution.js';
import { CollectLimitExceededError } from './CollectLimitExceededError.js';

interface AttemptRecords {
  records: unknown[];
  bytes: number;
}

/** Whether a vertex's chain ends in a collect() sink. */
export function isCollectSinkVertex(vertex: JobVertex): boolean {
  return vertex.operators.at(-1)?.kind === 'collectSink';
}

/** The collect() results of one job. */
export class CollectSinkResults {
  private readonly sinks: JobVertex[];
  private readonly byAttempt = new Map<string, AttemptRecords>();
  private keptBytes = 0;

  /** Collects for the sink vertices of `graph`, keeping at most `maxBytes` of encoded records. */
  constructor(
    graph: JobGraph,
    private readonly maxBytes: number,
  ) {
    this.sinks = graph.vertices.filter(isCollectSinkVertex);
  }

  /** Whether `vertexId` is one of the job's collect() sinks. */
  isSink(vertexId: string): boolean {
    return this.sinks.some((vertex) => vertex.id === vertexId);
  }

  /** The encoded size of the records kept now. */
  get bytes(): number {
    return this.keptBytes;
  }

  /**
   * Keeps `records` (`sizeBytes` when encoded) of a current sink attempt; throws a
   * {@link CollectLimitExceededError} naming the limit and the sink when they would cross it.
   */
  add(execution: Execution, records: readonly unknown[], sizeBytes: number): void {
    if (this.keptBytes + sizeBytes > this.maxBytes) {
      throw new CollectLimitExceededError(
        `the collect() sinks of this job sent more than ${formatBytes(this.maxBytes)} of records (the job manager's limit per job); ` +
          `sink "${execution.vertexName}" (vertex ${execution.vertexId}, subtask ${execution.subtaskIndex}) crossed it: ` +
          'collect fewer records (filter or aggregate first) or write them to a file sink',
      );
    }
    const kept = this.byAttempt.get(execution.executionAttemptId) ?? { records: [], bytes: 0 };
    for (const record of records) kept.records.push(record);
    kept.bytes += sizeBytes;
    this.keptBytes += sizeBytes;
    this.byAttempt.set(execution.executionAttemptId, kept);
  }

  /** Drops the records of an attempt that will not count (it failed or was cancelled). */
  discardAttempt(executionAttemptId: string): void {
    const kept = this.byAttempt.get(executionAttemptId);
    if (!kept) return;
    this.keptBytes -= kept.bytes;
    this.byAttempt.delete(executionAttemptId);
  }

  /** Drops everything (the job fails over, fails or is cancelled). */
  discardAll(): void {
    this.byAttempt.clear();
    this.keptBytes = 0;
  }

  /**
   * The job's result from its final attempts: per sink vertex, its subtasks' records in subtask
   * order. Releases the per-attempt records.
   */
  complete(finalAttempts: readonly Execution[]): Map<string, unknown[]> {
    const collected = new Map<string, unknown[]>();
    for (const sink of this.sinks) {
      const subtasks = finalAttempts
        .filter((execution) => execution.vertexId === sink.id)
        .sort((a, b) => a.subtaskIndex - b.subtaskIndex);
      const records: unknown[] = [];
      for (const subtask of subtasks)
        for (const record of this.byAttempt.get(subtask.executionAttemptId)?.records ?? []) records.push(record);
      collected.set(sink.id, records);
    }
    this.discardAll();
    return collected;
  }
}

/** A byte count as people read it, such as "256 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1 && value % 1024 === 0) {
    value /= 1024;
    unit++;
  }
  return `${value} ${units[unit]}`;
}
