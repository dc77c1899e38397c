/**
 * The registry of the result partitions a task executor holds (Flink's `ResultPartitionManager`).
 * Consumers are deployed together with their producers and may ask for a partition before it is
 * registered, so a request waits for it, up to a timeout. A partition leaves the registry when it is
 * released or when every subpartition was read to its end; for a while afterwards a request for it
 * fails at once with the reason instead of waiting for the timeout.
 */
import { AlreadyExistsError, UnavailableError } from '../../common/errors.js';
import { PartitionNotFoundError, PartitionReleasedError } from './errors.js';
import { ResultPartition, type ResultPartitionOptions } from './ResultPartition.js';
import type { ResultSubpartitionView } from './ResultSubpartitionView.js';

/** How long a partition request waits for its partition to be registered, unless configured. */
export const DEFAULT_PARTITION_REQUEST_TIMEOUT_MS = 30_000;

/** How many released or consumed partition ids are remembered to answer late requests at once. */
const REMEMBERED_DISPOSED_PARTITIONS = 1024;

/** The longest delay a Node timer takes; longer ones would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options of {@link ResultPartitionManager.requestSubpartition}. */
export interface SubpartitionRequestOptions {
  /** How long to wait for the partition to be registered; defaults to {@link DEFAULT_PARTITION_REQUEST_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Stops waiting; the request rejects with an abort error. */
  signal?: AbortSignal;
  /** Who reads (a consumer execution attempt id), for error messages. */
  consumer?: string;
}

/** Options of {@link ResultPartitionManager.register}. */
export type RegisterPartitionOptions = Omit<ResultPartitionOptions, 'onDisposed'>;

type PendingRequest = {
  subpartitionIndex: number;
  consumer: string | undefined;
  resolve: (view: ResultSubpartitionView) => void;
  reject: (error: Error) => void;
};

/** Holds the result partitions of one task executor, by partition id. */
export class ResultPartitionManager {
  private readonly partitions = new Map<string, ResultPartition>();
  private readonly pending = new Map<string, Set<PendingRequest>>();
  private readonly disposed = new Map<string, string>();
  private closedReason: string | undefined;

  /** The number of partitions registered now. */
  get size(): number {
    return this.partitions.size;
  }

  /** Whether a partition with this id is registered now. */
  has(partitionId: string): boolean {
    return this.partitions.has(partitionId);
  }

  /**
   * Registers a producer attempt's partition (partition id `${executionAttemptId}/${targetVertexId}`)
   * and hands it to consumers already waiting for it. Throws `AlreadyExistsError` if the id is
   * registered, `UnavailableError` after {@link close}.
   */
  register(
    partitionId: string,
    numberOfSubpartitions: number,
    options: RegisterPartitionOptions = {},
  ): ResultPartition {
    if (this.closedReason !== undefined)
      throw new UnavailableError(`cannot register result partition ${partitionId}: ${this.closedReason}`);
    if (this.partitions.has(partitionId))
      throw new AlreadyExistsError(`result partition ${partitionId} is registered already`);
    const partition = new ResultPartition(partitionId, numberOfSubpartitions, {
      ...options,
      onDisposed: (reason) => this.forget(partition, reason),
    });
    this.disposed.delete(partitionId);
    this.partitions.set(partitionId, partition);
    const waiting = this.pending.get(partitionId);
    this.pending.delete(partitionId);
    for (const request of waiting ?? []) this.serve(partition, request);
    return partition;
  }

  /**
   * The reader of one subpartition, waiting up to `timeoutMs` for the partition to be registered.
   * Rejects with a {@link PartitionNotFoundError} after the timeout, a {@link PartitionReleasedError}
   * when the partition was released or consumed already, an `InvalidArgumentError` for an index out
   * of range and a `FailedPreconditionError` when the subpartition already has a reader.
   */
  requestSubpartition(
    partitionId: string,
    subpartitionIndex: number,
    options: SubpartitionRequestOptions = {},
  ): Promise<ResultSubpartitionView> {
    return new Promise((resolve, reject) => {
      const request: PendingRequest = { subpartitionIndex, consumer: options.consumer, resolve, reject };
      const partition = this.partitions.get(partitionId);
      if (partition) return this.serve(partition, request);
      if (this.closedReason !== undefined)
        return reject(new UnavailableError(`cannot read result partition ${partitionId}: ${this.closedReason}`));
      const disposedReason = this.disposed.get(partitionId);
      if (disposedReason !== undefined) return reject(new PartitionReleasedError(partitionId, disposedReason));
      const { signal } = options;
      if (signal?.aborted) return reject(abortError(signal));

      const timeoutMs = options.timeoutMs ?? DEFAULT_PARTITION_REQUEST_TIMEOUT_MS;
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const waiting = this.pending.get(partitionId);
        waiting?.delete(request);
        if (waiting?.size === 0) this.pending.delete(partitionId);
      };
      const onAbort = () => {
        settle();
        reject(abortError(signal!));
      };
      const timer = setTimeout(
        () => {
          settle();
          reject(new PartitionNotFoundError(partitionId, timeoutMs));
        },
        Math.min(timeoutMs, MAX_TIMER_MS),
      );
      request.resolve = (view) => {
        settle();
        resolve(view);
      };
      request.reject = (error) => {
        settle();
        reject(error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const waiting = this.pending.get(partitionId) ?? new Set<PendingRequest>();
      waiting.add(request);
      this.pending.set(partitionId, waiting);
    });
  }

  /** Releases one partition (its producer was cancelled or failed); consumers waiting for it fail with `reason`. */
  release(partitionId: string, reason: string): void {
    const partition = this.partitions.get(partitionId);
    if (partition) return partition.release(reason);
    this.remember(partitionId, reason);
    this.rejectPending(partitionId, new PartitionReleasedError(partitionId, reason));
  }

  /** Releases every partition of one execution attempt (ids `${executionAttemptId}/...`); returns how many were registered. */
  releaseAttempt(executionAttemptId: string, reason: string): number {
    return this.releaseByPrefix(`${executionAttemptId}/`, reason);
  }

  /** Releases every registered partition, and fails every waiting request, whose id starts with `prefix`. */
  releaseByPrefix(prefix: string, reason: string): number {
    const matching = [...this.partitions.values()].filter((partition) => partition.partitionId.startsWith(prefix));
    for (const partition of matching) partition.release(reason);
    for (const partitionId of [...this.pending.keys()]) {
      if (partitionId.startsWith(prefix))
        this.rejectPending(partitionId, new PartitionReleasedError(partitionId, reason));
    }
    return matching.length;
  }

  /** Releases everything and refuses later registrations and requests (the task executor shuts down). */
  close(reason = 'the task executor is shutting down'): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    for (const partition of [...this.partitions.values()]) partition.release(reason);
    for (const partitionId of [...this.pending.keys()]) {
      this.rejectPending(partitionId, new UnavailableError(`cannot read result partition ${partitionId}: ${reason}`));
    }
  }

  private serve(partition: ResultPartition, request: PendingRequest): void {
    try {
      request.resolve(partition.createReader(request.subpartitionIndex, request.consumer));
    } catch (error) {
      request.reject(error as Error);
    }
  }

  private rejectPending(partitionId: string, error: Error): void {
    for (const request of [...(this.pending.get(partitionId) ?? [])]) request.reject(error);
    this.pending.delete(partitionId);
  }

  private forget(partition: ResultPartition, reason: string): void {
    if (this.partitions.get(partition.partitionId) !== partition) return;
    this.partitions.delete(partition.partitionId);
    this.remember(partition.partitionId, reason);
  }

  private remember(partitionId: string, reason: string): void {
    this.disposed.delete(partitionId);
    this.disposed.set(partitionId, reason);
    if (this.disposed.size > REMEMBERED_DISPOSED_PARTITIONS) {
      this.disposed.delete(this.disposed.keys().next().value!);
    }
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('the partition request was aborted');
  error.name = 'AbortError';
  return error;
}
