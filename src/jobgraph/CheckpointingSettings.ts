/**
 * A job's checkpointing settings (Flink's CheckpointConfig and its configuration keys), read from
 * the job graph's properties: `env.enableCheckpointing(ms)` sets the interval there, and the run
 * configuration (`-Dstate.checkpoints.dir=…`) sets the storage and how many checkpoints are kept.
 */
import { InvalidArgumentError } from '../common/errors.js';

/** The interval between checkpoints (Flink's `execution.checkpointing.interval`); unset or 0: no checkpoints. */
export const CHECKPOINTING_INTERVAL_PROPERTY = 'execution.checkpointing.interval';
/** How long a checkpoint may take before it is aborted (Flink's `execution.checkpointing.timeout`). */
export const CHECKPOINTING_TIMEOUT_PROPERTY = 'execution.checkpointing.timeout';
/** The folder completed checkpoints are written to (Flink's `state.checkpoints.dir`); unset: kept in the job manager's memory. */
export const CHECKPOINTS_DIRECTORY_PROPERTY = 'state.checkpoints.dir';
/** The folder savepoints go to when TriggerSavepoint names none (Flink's `state.savepoints.dir`). */
export const SAVEPOINTS_DIRECTORY_PROPERTY = 'state.savepoints.dir';
/** How many completed checkpoints are kept (Flink's `state.checkpoints.num-retained`). */
export const CHECKPOINTS_RETAINED_PROPERTY = 'state.checkpoints.num-retained';

/** How a job takes checkpoints. */
export interface CheckpointingSettings {
  intervalMs: number;
  timeoutMs: number;
  /** The checkpoint storage folder; undefined keeps checkpoints in the job manager's memory only. */
  directory?: string;
  /** How many completed checkpoints are kept; older ones are deleted. */
  retained: number;
}

/** A checkpoint that takes longer than this is aborted unless the job says otherwise. */
export const DEFAULT_CHECKPOINT_TIMEOUT_MS = 60_000;

/**
 * The settings `properties` ask for, or undefined when checkpointing is off (no interval, or 0).
 *
 * @throws InvalidArgumentError naming the property when a value cannot be read.
 */
export function checkpointingSettingsOf(
  properties: Readonly<Record<string, string>>,
): CheckpointingSettings | undefined {
  const interval = properties[CHECKPOINTING_INTERVAL_PROPERTY];
  if (interval === undefined || interval.trim() === '') return undefined;
  const intervalMs = parseDurationMs(interval, CHECKPOINTING_INTERVAL_PROPERTY);
  if (intervalMs === 0) return undefined;
  const timeout = properties[CHECKPOINTING_TIMEOUT_PROPERTY];
  const retained = properties[CHECKPOINTS_RETAINED_PROPERTY];
  const retainedCount = retained === undefined ? 1 : Number(retained.trim());
  if (!Number.isSafeInteger(retainedCount) || retainedCount < 1)
    throw new InvalidArgumentError(
      `${CHECKPOINTS_RETAINED_PROPERTY} expects a whole number of at least 1, got ${JSON.stringify(retained)}`,
    );
  const directory = properties[CHECKPOINTS_DIRECTORY_PROPERTY]?.trim();
  return {
    intervalMs,
    timeoutMs:
      timeout === undefined ? DEFAULT_CHECKPOINT_TIMEOUT_MS : parseDurationMs(timeout, CHECKPOINTING_TIMEOUT_PROPERTY),
    retained: retainedCount,
    ...(directory ? { directory: directory.replace(/^file:\/\//, '') } : {}),
  };
}

const UNITS: Record<string, number> = { '': 1, ms: 1, s: 1000, min: 60_000 };

/** `500`, `500 ms`, `10s` or `1 min` in milliseconds. */
function parseDurationMs(value: string, property: string): number {
  const match = /^\s*(\d+)\s*(ms|s|min)?\s*$/.exec(value);
  if (!match)
    throw new InvalidArgumentError(
      `${property} expects a duration such as 500, "500 ms", "10 s" or "1 min", got ${JSON.stringify(value)}`,
    );
  return Number(match[1]) * UNITS[match[2] ?? ''];
}
