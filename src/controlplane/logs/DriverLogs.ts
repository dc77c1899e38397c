/**
 * The driver logs of the control plane: what each application's `main()` wrote in its driver job,
 * copied from the cluster into the store (one {@link copyDriverLog} per application, from the
 * moment its driver job is known until the job's output is drained, resumed after a restart) and
 * read back by byte offset. Readers read from the store, never from the cluster, so a log stays
 * readable after its application and its cluster are gone; a following reader is woken by each
 * stored batch and ends once the application has ended and the copy is complete.
 */
import { throwIfAborted } from 'abort-controller-x';
import { OutOfRangeError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { KeyedNotifier } from '../events/KeyedNotifier.js';
import type { ApplicationEvent } from '../model/ApplicationEvent.js';
import { isTerminalApplicationStatus } from '../model/ApplicationStatus.js';
import { currentAttempt } from '../model/DriverAttempt.js';
import type { ApplicationStore } from '../store/ApplicationStore.js';
import type { DriverLogPiece, DriverLogPosition, DriverLogStore } from '../store/DriverLogStore.js';
import { copyDriverLog, type DriverLogClusters } from './DriverLogCopier.js';

/** What the driver logs need. */
export interface DriverLogsOptions {
  store: DriverLogStore;
  applications: ApplicationStore;
  clusters: DriverLogClusters;
  logger: Logger;
  /** How long the work after an application's end waits for its copy to drain (default 3 s). */
  drainTimeoutMs?: number;
  /** The first wait before a copy tries a failed read again (default 250 ms). */
  retryDelayMs?: number;
  /** Resolves once every committed transaction is on disk (group commit): a read piece is sent only then. */
  durable?: () => Promise<void>;
  /** Whether this process follows the cluster (and so copies the driver logs of its applications); always, when not given. */
  follows?: (clusterId: string) => boolean;
}

/** What a reader asks for. */
export interface DriverLogRead {
  applicationId: string;
  /** The byte offset to start from; 0 is the beginning. */
  offset: number;
  /** Keep yielding new output until the application has ended and all of it was yielded. */
  follow: boolean;
  /** Aborting it ends the read with an AbortError. */
  signal?: AbortSignal;
}

const READ_BATCH = 64;

/** Copies and serves the driver logs of all applications. */
export class DriverLogs {
  private readonly notifier = new KeyedNotifier();
  private readonly copies = new Map<string, { controller: AbortController; done: Promise<void>; clusterId: string }>();
  /** Applications whose copy is being considered now, and whether to consider them again after. */
  private readonly considering = new Map<string, boolean>();
  /** How many wake-ups there were: checks that began before a change of it may be out of date. */
  private wakeUps = 0;
  private closed = false;

  constructor(private readonly options: DriverLogsOptions) {}

  /**
   * Follows what happens to applications (called for each committed event): a copy starts once
   * the driver job is known, readers are woken when the application's status changes.
   */
  applicationEvent(event: ApplicationEvent): void {
    const { type } = event.kind;
    if (type !== 'applicationStatusChanged' && type !== 'jobStatusChanged') return;
    queueMicrotask(() => {
      this.consider(event.applicationId);
      this.wake(event.applicationId);
    });
  }

  /** Starts copying the application's driver log unless it is copied already, complete, or its driver job is not known yet. */
  consider(applicationId: string): void {
    if (this.closed || this.copies.has(applicationId)) return;
    // One look at a time per application; a request meanwhile looks again after it, at newer state.
    if (this.considering.has(applicationId)) {
      this.considering.set(applicationId, true);
      return;
    }
    this.considering.set(applicationId, false);
    this.startCopy(applicationId)
      .catch((error: unknown) =>
        this.options.logger.error({ err: error, applicationId }, 'could not start copying the driver log'),
      )
      .finally(() => {
        const again = this.considering.get(applicationId);
        this.considering.delete(applicationId);
        if (again) this.consider(applicationId);
      });
  }

  private async startCopy(applicationId: string): Promise<void> {
    const { store, applications, clusters, logger } = this.options;
    const application = await applications.find(applicationId);
    if (!application?.driverJobId || !application.clusterId) return;
    // The follower of the application's cluster copies its driver's output; other replicas only read it.
    if (this.options.follows && !this.options.follows(application.clusterId)) return;
    const position = await store.position(applicationId);
    const attempt = currentAttempt(application);
    // A later driver attempt's driver: its output follows the earlier attempt's, under a line that numbers it.
    const laterAttempt = position.sourceJobId === '' ? attempt > 1 : position.sourceJobId !== application.driverJobId;
    if (this.closed || this.copies.has(applicationId)) return;
    if (laterAttempt) {
      // The earlier attempt's copy has not ended yet: its end considers the application again.
      if (!position.completedAt) return;
      const header = `[flotilla] driver attempt ${attempt} of ${application.driverAttempts} (driver job ${application.driverJobId})\n`;
      await store.nextSource(applicationId, application.driverJobId, [{ stream: 'LOGGER', data: Buffer.from(header) }]);
    } else if (position.completedAt) return;
    if (this.closed || this.copies.has(applicationId)) return;
    const controller = new AbortController();
    const copy = {
      applicationId,
      jobId: application.driverJobId,
      clusterId: application.clusterId,
      store,
      clusters,
      onAppended: () => this.wake(applicationId),
      logger,
      retryDelayMs: this.options.retryDelayMs,
    };
    const done = copyDriverLog(copy, controller.signal)
      .catch((error: unknown) =>
        logger.error({ err: error, applicationId }, 'copying the driver log failed; it is resumed at the next start'),
      )
      .finally(() => {
        this.copies.delete(applicationId);
        this.wake(applicationId);
        // A later driver attempt may be waiting for this copy to end.
        this.consider(applicationId);
      });
    this.copies.set(applicationId, { controller, done, clusterId: application.clusterId });
  }

  /** Resumes the copies a restart interrupted (after the clusters were recovered). */
  async recover(): Promise<void> {
    for (const applicationId of await this.options.store.incompleteCopies()) this.consider(applicationId);
  }

  /**
   * Runs `then` once the application's copy has ended, or after the drain timeout: what follows
   * an application's end (tearing its cluster down) must not cut off the end of its driver's output.
   */
  afterCopied(applicationId: string, then: () => void | Promise<unknown>): void {
    const run = () => {
      Promise.resolve()
        .then(then)
        .catch((error: unknown) =>
          this.options.logger.error({ err: error, applicationId }, 'work after the application ended failed'),
        );
    };
    const copy = this.copies.get(applicationId);
    if (!copy) {
      run();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.drainTimeoutMs ?? 3000);
      timer.unref();
    });
    void Promise.race([copy.done, timeout]).then(() => {
      clearTimeout(timer);
      run();
    });
  }

  /** How many readers wait for new output of the application now. */
  waitingReaders(applicationId: string): number {
    return this.notifier.waiting(applicationId);
  }

  /**
   * Yields the application's stored driver output from `offset`, then, when following, new output
   * as it is stored until the application has ended and its copy is complete. NOT_FOUND for an
   * unknown application; OUT_OF_RANGE, before the first piece, for an offset past the end or older
   * than what retention kept (naming the oldest offset kept), and while reading when retention
   * drops what the reader was about to read.
   */
  async read(read: DriverLogRead): Promise<AsyncIterable<DriverLogPiece>> {
    const { applications, store } = this.options;
    await applications.get(read.applicationId);
    const position = await store.position(read.applicationId);
    if (read.offset > position.endOffset) {
      throw new OutOfRangeError(
        `offset ${read.offset} is past the end of the driver log of application ${read.applicationId} (${position.endOffset} bytes so far)`,
      );
    }
    if (read.offset < position.firstKeptOffset) throw notKept(read.applicationId, read.offset, position);
    return this.follow(read);
  }

  /** Wakes the application's readers. */
  private wake(applicationId: string): void {
    this.wakeUps++;
    this.notifier.notify(applicationId);
  }

  /**
   * Another replica stored output or an event of the application (`*`: of any application): its
   * readers here read on, and those that wait for the application's end look at its status again.
   */
  remoteChange(applicationId: string): void {
    this.wakeUps++;
    if (applicationId === '*') this.notifier.notifyAll();
    else this.notifier.notify(applicationId);
  }

  /** Stops the copies from a cluster this process no longer follows (its new follower copies on from the stored offset). */
  stopCopiesFrom(clusterId: string): void {
    for (const copy of this.copies.values()) if (copy.clusterId === clusterId) copy.controller.abort();
  }

  /** Stops every copy (they resume at the next start) and waits for them. */
  async close(): Promise<void> {
    this.closed = true;
    const copies = [...this.copies.values()];
    for (const copy of copies) copy.controller.abort();
    await Promise.all(copies.map((copy) => copy.done));
  }

  private async *follow({
    applicationId,
    offset,
    follow,
    signal,
  }: DriverLogRead): AsyncGenerator<DriverLogPiece, void, undefined> {
    const { store, applications } = this.options;
    let cursor = offset;
    for (;;) {
      if (signal) throwIfAborted(signal);
      const wakeUps = this.wakeUps;
      const pieces = await store.read(applicationId, cursor, READ_BATCH);
      if (pieces.length > 0) await this.options.durable?.();
      for (const piece of pieces) {
        if (piece.offset > cursor) throw notKept(applicationId, cursor, await store.position(applicationId));
        yield piece;
        cursor = piece.nextOffset;
      }
      if (pieces.length > 0) continue;
      // Nothing after the cursor when the read began. When nobody was woken since, the checks below
      // agree with it, and the wait starts in the same turn as that check, so no batch is stored
      // in between unseen; otherwise the log is read again.
      const position = await store.position(applicationId);
      if (cursor < position.firstKeptOffset) throw notKept(applicationId, cursor, position);
      if (!follow) return;
      const application = await applications.get(applicationId);
      if (this.wakeUps !== wakeUps) continue;
      if (isTerminalApplicationStatus(application.status) && (position.completedAt || !application.driverJobId)) return;
      await this.notifier.wait(applicationId, signal);
    }
  }
}

/** OUT_OF_RANGE for an offset retention no longer keeps, naming the oldest offset kept. */
function notKept(applicationId: string, offset: number, position: DriverLogPosition): OutOfRangeError {
  const when = position.compactedAt ? ` on ${position.compactedAt.toISOString()}` : '';
  return new OutOfRangeError(
    `offset ${offset} of the driver log of application ${applicationId} is no longer kept: retention compacted the log${when}; ` +
      `the oldest offset kept is ${position.firstKeptOffset}, read from there or later`,
  );
}
