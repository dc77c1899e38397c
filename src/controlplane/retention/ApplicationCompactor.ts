/**
 * Applies the retention policy: at start and then every `intervalMs`, compacts the finished
 * applications that ended too long ago or are past the count of those kept whole. Compaction
 * never deletes an application: its record (status, failure, jobs, request id), its terminal
 * status event and the tail of its driver log stay, so GetApplication, a watch from the last
 * event, `flotilla logs` of the tail, and idempotent resubmission of an old request id all keep
 * working; what goes is the bulk (job and task events, driver output).
 */
import type { Logger } from '../../common/logger.js';
import type { Compaction, RetentionStore } from '../store/RetentionStore.js';
import type { RetentionPolicy } from './RetentionPolicy.js';

/** Applications compacted per transaction batch, so one pass never holds the event loop for long. */
const BATCH = 100;

/** What the compactor needs. */
export interface ApplicationCompactorOptions {
  store: RetentionStore;
  policy: RetentionPolicy;
  logger: Logger;
  /** The clock (tests move it). */
  now?: () => Date;
}

/** The periodic compaction of finished applications. */
export class ApplicationCompactor {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ApplicationCompactorOptions) {}

  /** Compacts what is due now, then again every interval until {@link close}. */
  start(): void {
    if (this.timer) return;
    void this.pass();
    this.timer = setInterval(() => void this.pass(), this.options.policy.intervalMs);
    this.timer.unref();
  }

  /** Compacts every application due at `now`; returns what was compacted. */
  async compactDue(now = this.options.now?.() ?? new Date()): Promise<Compaction[]> {
    const { store, policy } = this.options;
    const limits = {
      endedBefore: policy.maxAgeMs > 0 ? new Date(now.getTime() - policy.maxAgeMs) : undefined,
      keepNewest: policy.maxCount > 0 ? policy.maxCount : undefined,
    };
    const done: Compaction[] = [];
    for (;;) {
      const due = await store.due(limits, BATCH);
      const compacted: Compaction[] = [];
      for (const applicationId of due) {
        const compaction = await store.compact(applicationId, policy.logTailBytes, now);
        if (compaction) compacted.push(compaction);
      }
      done.push(...compacted);
      if (due.length < BATCH || compacted.length === 0) return done;
    }
  }

  /** Stops the periodic passes. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async pass(): Promise<void> {
    try {
      const compacted = await this.compactDue();
      if (compacted.length === 0) return;
      const events = compacted.reduce((sum, one) => sum + one.eventsDropped, 0);
      const logBytes = compacted.reduce((sum, one) => sum + one.logBytesDropped, 0);
      this.options.logger.info(
        { applications: compacted.length, events, logBytes },
        'compacted finished applications past retention',
      );
    } catch (error) {
      this.options.logger.error(
        { err: error },
        'compacting finished applications failed; trying again at the next interval',
      );
    }
  }
}
