/**
 * Copies one application's driver output from its cluster's Dispatcher (ReadJobOutput of the
 * driver job, followed) into the control plane's store. Each batch is stored together with the
 * source offset it reaches, so a copy resumed after a restart or a broken stream starts exactly
 * where the stored one ends. What arrives in one burst is stored in one transaction (one fsync),
 * not one per piece. The copy ends when the driver job's output is drained; when the job or its
 * cluster is gone first, or the Dispatcher dropped output before it was copied, the log says so
 * in a line of its own (stream LOGGER) instead of silently missing it.
 */
import { delay, isAbortError } from 'abort-controller-x';
import { NotFoundError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { DispatcherGateway, JobOutputChunk } from '../clusters/DispatcherGateway.js';
import { JobOutputNotKeptError } from '../clusters/DispatcherGateway.js';
import { isTerminalClusterStatus, type Cluster } from '../model/Cluster.js';
import type { DriverLogStore, DriverLogWrite } from '../store/DriverLogStore.js';

/** What a copy needs of the clusters. */
export interface DriverLogClusters {
  get(clusterId: string): Promise<Cluster>;
  gateway(clusterId: string): Promise<DispatcherGateway>;
}

/** What {@link copyDriverLog} copies and where to. */
export interface DriverLogCopy {
  applicationId: string;
  /** The driver job whose output is copied. */
  jobId: string;
  clusterId: string;
  store: DriverLogStore;
  clusters: DriverLogClusters;
  /** Called after each stored batch and at the end (wakes readers). */
  onAppended(): void;
  logger: Logger;
  /** The first wait before trying again after a failed read (doubling up to {@link MAX_RETRY_DELAY_MS}); default 250 ms. */
  retryDelayMs?: number;
}

/** The most bytes stored in one transaction. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** How long a batch waits for the next piece before it is stored. */
export const GATHER_MS = 10;
/** How long a batch gathers pieces at most: one fsync per this much time under a flood of output. */
export const MAX_GATHER_MS = 100;
/** The longest wait between two attempts to reach the Dispatcher. */
export const MAX_RETRY_DELAY_MS = 4000;

/** A line the control plane adds to a driver log, on the LOGGER stream. */
function note(text: string): DriverLogWrite {
  return { stream: 'LOGGER', data: Buffer.from(`[flotilla] ${text}\n`) };
}

/**
 * Copies until the driver job's output is drained (or can no longer be read) and the store says
 * so; resolves early, leaving the copy to be resumed, when `signal` aborts.
 */
export async function copyDriverLog(copy: DriverLogCopy, signal: AbortSignal): Promise<void> {
  const { applicationId, jobId, clusterId, store, clusters, logger } = copy;
  const end = async (notes: DriverLogWrite[] = []) => {
    await store.complete(applicationId, notes);
    copy.onAppended();
  };
  let failures = 0;
  while (!signal.aborted) {
    const position = await store.position(applicationId);
    if (position.completedAt) return;
    const cluster = await clusters.get(clusterId);
    if (isTerminalClusterStatus(cluster.status)) {
      await end([
        note(
          `the driver's output may be incomplete: cluster ${clusterId} ended (${cluster.status}) before all of it was copied`,
        ),
      ]);
      return;
    }
    try {
      await copyFrom(copy, position.sourceOffset, signal);
      await end();
      return;
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof JobOutputNotKeptError && error.oldestOffset > position.sourceOffset) {
        const lost = error.oldestOffset - position.sourceOffset;
        logger.warn(
          { applicationId, jobId, lost },
          'driver output was dropped by the job manager before it was copied',
        );
        await store.append(applicationId, position.sourceOffset, error.oldestOffset, [
          note(
            `${lost} bytes of the driver's output are missing here: the job manager of cluster ${clusterId} no longer kept them when they were copied`,
          ),
        ]);
        copy.onAppended();
        continue;
      }
      if (error instanceof NotFoundError) {
        await end([
          note(
            `the driver's output may be incomplete: the job manager of cluster ${clusterId} no longer knows driver job ${jobId}`,
          ),
        ]);
        return;
      }
      failures++;
      const wait = Math.min(MAX_RETRY_DELAY_MS, (copy.retryDelayMs ?? 250) * 2 ** (failures - 1));
      logger.debug({ err: error, applicationId, jobId, wait }, 'reading the driver output failed; trying again');
      try {
        await delay(signal, wait);
      } catch (aborted) {
        if (isAbortError(aborted)) return;
        throw aborted;
      }
    }
  }
}

/** `next`, or undefined when it has not settled within `ms`. */
async function within<T>(next: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      next,
      new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads the driver job's output from `sourceOffset`, following, and stores it batch by batch until it ends. */
async function copyFrom(copy: DriverLogCopy, sourceOffset: number, signal: AbortSignal): Promise<void> {
  const stop = new AbortController();
  const chunks = (await copy.clusters.gateway(copy.clusterId)).readJobOutput(
    copy.jobId,
    sourceOffset,
    true,
    AbortSignal.any([signal, stop.signal]),
  );
  const iterator = chunks[Symbol.asyncIterator]();
  let cursor = sourceOffset;
  let next = iterator.next();
  try {
    for (;;) {
      const first = await next;
      if (first.done) return;
      const batch = [first.value];
      let bytes = first.value.data.byteLength;
      let drained = false;
      next = iterator.next();
      // Pieces that follow closely go into the same transaction (one fsync), up to a bound of bytes
      // and time; what arrived before a failure is kept.
      let failure: { error: unknown } | undefined;
      const gatherUntil = Date.now() + MAX_GATHER_MS;
      while (bytes < MAX_BATCH_BYTES && Date.now() < gatherUntil) {
        const ready = await within(next, Math.min(GATHER_MS, gatherUntil - Date.now())).catch((error: unknown) => {
          failure = { error };
          return undefined;
        });
        if (ready === undefined) break;
        if (ready.done) {
          drained = true;
          break;
        }
        batch.push(ready.value);
        bytes += ready.value.data.byteLength;
        next = iterator.next();
      }
      cursor = await store(copy, cursor, batch);
      if (failure) throw failure.error;
      if (drained) return;
    }
  } finally {
    stop.abort();
    next.catch(() => undefined);
  }
}

/** Stores a batch that continues the copy at `cursor`; returns the source offset it reaches. */
async function store(copy: DriverLogCopy, cursor: number, batch: readonly JobOutputChunk[]): Promise<number> {
  const writes: DriverLogWrite[] = [];
  let at = cursor;
  for (const chunk of batch) {
    if (chunk.offset > at) writes.push(note(`${chunk.offset - at} bytes of the driver's output are missing here`));
    const skip = Math.max(0, at - chunk.offset);
    if (skip < chunk.data.byteLength) writes.push({ stream: chunk.stream, data: chunk.data.subarray(skip) });
    at = Math.max(at, chunk.nextOffset);
  }
  await copy.store.append(copy.applicationId, cursor, at, writes);
  copy.onAppended();
  return at;
}
