import { describe, expect, it } from 'vitest';
import { UsageError } from './args.js';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads single units, combinations, fractions and a bare 0', () => {
    expect(parseDuration('7d', '--t')).toBe(7 * 86_400_000);
    expect(parseDuration(' 1h30m ', '--t')).toBe(90 * 60_000);
    expect(parseDuration('500ms', '--t')).toBe(500);
    expect(parseDuration('1.5s', '--t')).toBe(1500);
    expect(parseDuration('2w', '--t')).toBe(14 * 86_400_000);
    expect(parseDuration('0', '--t')).toBe(0);
  });

  it('refuses numbers without a unit and anything else, naming the flag', () => {
    for (const text of ['60', '', '7 days', '-1d', '1x', 'd7', '1d2']) {
      expect(() => parseDuration(text, '--retention-time')).toThrow(UsageError);
      expect(() => parseDuration(text, '--retention-time')).toThrow(/--retention-time expects a duration/);
    }
  });

  it('formats in the largest unit up to days that divides the duration, and reads back what it formats', () => {
    expect(formatDuration(7 * 86_400_000)).toBe('7d');
    expect(formatDuration(60_000)).toBe('1m');
    expect(formatDuration(1500)).toBe('1500ms');
    expect(formatDuration(0)).toBe('0');
    for (const ms of [0, 1, 999, 1000, 90_000, 86_400_000 * 3])
      expect(parseDuration(formatDuration(ms), '--t')).toBe(ms);
  });
});
