/**
 * The sink of `DataStream.print()` (Flink's `PrintSinkFunction`): one line per record on the task's
 * standard output, which the task executor captures. With several subtasks every line says which
 * one printed it, as in Flink: `2> record`, or `prefix:2> record` when a prefix is given.
 */
import { once } from 'node:events';
import { formatRecord } from './formatRecord.js';
import type { SinkWriter } from './SinkWriter.js';
import type { TaskContext } from './TaskContext.js';

/** Prints every record as a line. */
export class PrintSinkWriter implements SinkWriter {
  /** What every line starts with. */
  readonly linePrefix: string;

  /**
   * @param prefix The sink identifier given to `print(prefix)`, or `""`.
   * @param writeLine Receives each line, without a newline; when omitted, each batch is written to
   *   `process.stdout` at once, waiting for it to drain when its buffer is full.
   */
  constructor(
    prefix: string,
    context: TaskContext,
    private readonly writeLine?: (line: string) => void,
  ) {
    this.linePrefix = printPrefix(prefix, context);
  }

  /** Nothing to prepare. */
  async open(): Promise<void> {}

  /** Writes `linePrefix + formatRecord(record)` for every record. */
  async emit(records: unknown[]): Promise<void> {
    if (this.writeLine) {
      for (const record of records) this.writeLine(this.linePrefix + formatRecord(record));
      return;
    }
    let text = '';
    for (const record of records) text += `${this.linePrefix}${formatRecord(record)}\n`;
    if (!process.stdout.write(text)) await once(process.stdout, 'drain');
  }

  /** Nothing to flush: every batch is written when it comes. */
  async finish(): Promise<void> {}

  /** Nothing to undo: printed lines stay printed. */
  async abort(): Promise<void> {}
}

/**
 * The prefix of printed lines, as Flink's `PrintSinkOutputWriter` makes it: the identifier, then
 * `:` and the 1-based subtask number when there are several subtasks, then `> `; nothing at all
 * for one subtask without identifier.
 */
export function printPrefix(prefix: string, context: TaskContext): string {
  const parts = [prefix, context.parallelism > 1 ? String(context.subtaskIndex + 1) : ''].filter((part) => part !== '');
  return parts.length === 0 ? '' : `${parts.join(':')}> `;
}
