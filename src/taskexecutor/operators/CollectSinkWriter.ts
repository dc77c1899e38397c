/**
 * The sink of `DataStream.executeAndCollect()`: it hands every batch to whoever ships records back
 * to the submitter, and waits for each hand-over, so a submitter that reads slowly slows the job
 * down instead of letting results pile up in a task executor.
 */
import type { SinkWriter } from './SinkWriter.js';

/** Takes one batch of collected records; resolves when it may take the next. */
export type RecordCollector = (records: unknown[]) => Promise<void>;

/** Passes batches to a {@link RecordCollector}. */
export class CollectSinkWriter implements SinkWriter {
  /** @param collect Takes the batches; each call is awaited before the next. */
  constructor(private readonly collect: RecordCollector) {}

  /** Nothing to prepare. */
  async open(): Promise<void> {}

  /** Hands `records` to the collector and waits until it has taken them. */
  async emit(records: unknown[]): Promise<void> {
    if (records.length > 0) await this.collect(records);
  }

  /** Nothing to flush; the task's end tells the submitter that no more records come. */
  async finish(): Promise<void> {}

  /**
   * Nothing to undo here: dropping what a failed attempt already delivered is up to the owner of
   * the collector, which knows the attempt it collects for.
   */
  async abort(): Promise<void> {}
}
