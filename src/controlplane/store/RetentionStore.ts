/**
 * Compaction of the control plane's state, as a port: which finished applications are past the
 * retention limits, and, for one of them in one transaction, dropping every event but the last
 * (its terminal status event) and its driver log but the tail, while recording the oldest
 * sequence and offset still kept so that readers from an older cursor get OUT_OF_RANGE instead
 * of a silent gap.
 */

/** What {@link RetentionStore.due} selects by. */
export interface RetentionLimits {
  /** Applications that ended before this instant are due; undefined when age does not count. */
  endedBefore?: Date;
  /** Applications past this many most recently ended ones are due; undefined when count does not count. */
  keepNewest?: number;
}

/** What one compaction dropped and kept. */
export interface Compaction {
  applicationId: string;
  eventsDropped: number;
  logBytesDropped: number;
  firstKeptSequence: number;
  firstKeptOffset: number;
}

/** Retention's reads and writes of applications, their events and their driver logs. */
export interface RetentionStore {
  /**
   * Up to `limit` ended applications past the limits and not compacted yet, oldest end first. An
   * application whose driver log is still being copied waits for the copy to end.
   */
  due(limits: RetentionLimits, limit: number): Promise<string[]>;
  /**
   * Compacts one ended application: keeps its last event and the newest pieces of its driver log
   * that fit in `logTailBytes`, drops the rest, and records the oldest sequence and offset kept.
   * Undefined when the application is unknown, has not ended, or was compacted already.
   */
  compact(applicationId: string, logTailBytes: number, now?: Date): Promise<Compaction | undefined>;
}
