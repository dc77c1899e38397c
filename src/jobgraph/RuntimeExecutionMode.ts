/**
 * How a job processes its input (Flink's `RuntimeExecutionMode`, set with `execution.runtime-mode`):
 *
 * - `STREAMING`: keyed aggregations emit the key's new running value for every record, as a job
 *   over an unbounded input must, since its input never ends;
 * - `BATCH`: every source is bounded; keyed aggregations emit one final value per key when their
 *   input ends, and their producers pre-aggregate by key before the exchange (a combiner);
 * - `AUTOMATIC`: `BATCH` when every source of the job is bounded, `STREAMING` otherwise. It is
 *   resolved when the job graph is built, so a graph only ever carries `STREAMING` or `BATCH`.
 */
import { InvalidArgumentError } from '../common/errors.js';

/** The modes a user can ask for. */
export type RuntimeExecutionMode = 'STREAMING' | 'BATCH' | 'AUTOMATIC';

/** A mode as a user may spell it: in capitals as Flink names it, or in lower case as its configuration accepts. */
export type RuntimeExecutionModeName = RuntimeExecutionMode | Lowercase<RuntimeExecutionMode>;

/** The modes a job graph runs in, once AUTOMATIC has been resolved. */
export type ResolvedRuntimeMode = Exclude<RuntimeExecutionMode, 'AUTOMATIC'>;

/** The modes, as values for code that prefers Flink's `RuntimeExecutionMode.BATCH` spelling. */
export const RuntimeExecutionMode = Object.freeze({
  STREAMING: 'STREAMING',
  BATCH: 'BATCH',
  AUTOMATIC: 'AUTOMATIC',
} as const satisfies Record<RuntimeExecutionMode, RuntimeExecutionMode>);

/** The property that sets the mode (`-Dexecution.runtime-mode=BATCH`), Flink's name for it. */
export const RUNTIME_MODE_PROPERTY = 'execution.runtime-mode';

/**
 * The mode `value` names, in any letter case (`batch`, `BATCH`), as Flink reads its configuration.
 *
 * @throws InvalidArgumentError naming `where` and the accepted values for anything else.
 */
export function parseRuntimeExecutionMode(value: unknown, where: string): RuntimeExecutionMode {
  const mode = typeof value === 'string' ? value.trim().toUpperCase() : undefined;
  if (mode === 'STREAMING' || mode === 'BATCH' || mode === 'AUTOMATIC') return mode;
  const got = typeof value === 'string' ? JSON.stringify(value) : `a ${value === null ? 'null' : typeof value}`;
  throw new InvalidArgumentError(`${where} expects a runtime mode of STREAMING, BATCH or AUTOMATIC, got ${got}`);
}
