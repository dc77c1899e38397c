/**
 * Durations on the command line, as people write them: `7d`, `12h`, `30m`, `45s`, `500ms`, or a
 * combination such as `1h30m`; `0` alone means none. A number without a unit is refused, since
 * nobody can tell whether `60` means seconds or minutes.
 */
import { UsageError } from './args.js';

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** The duration `text` in milliseconds; a UsageError naming `flag` when it is not one. */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== trimmed) {
    throw new UsageError(`${flag} expects a duration such as 7d, 12h, 30m, 45s or 500ms (0 for none), got "${text}"`);
  }
  return Math.round(parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * UNITS[unit], 0));
}

/** A duration in the largest unit up to days that divides it, for help texts: 604800000 → "7d". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  const [unit, size] = Object.entries(UNITS)
    .filter(([unit]) => unit !== 'w')
    .reverse()
    .find(([, size]) => ms % size === 0)!;
  return `${ms / size}${unit}`;
}
