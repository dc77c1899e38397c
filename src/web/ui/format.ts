/** How the dashboard writes statuses, times and failures. */
import type { SerializedError } from '../../../generated/flotilla/v1/common.js';

/** A time as UTC, to the second ("2026-12-07 11:31:51Z"); a dash when there is none. */
export function formatTime(time: Date | undefined): string {
  return time ? `${time.toISOString().slice(0, 19).replace('T', ' ')}Z` : '–';
}

/** An enum value's name from its generated enum ("RUNNING"). */
export function enumName(names: Record<number, string>, value: number): string {
  return names[value] ?? String(value);
}

/** A failure as one line: its category, its name and message. */
export function formatFailure(failure: SerializedError | undefined): string {
  if (!failure) return '';
  return `${failure.name}: ${failure.message}`;
}

/** An element's value when it is a non-empty string, a dash otherwise. */
export function orDash(text: string | undefined): string {
  return text ? text : '–';
}
