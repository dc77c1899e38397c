import { describe, expect, it } from 'vitest';
import { newRecordId } from './recordId.js';

describe('newRecordId', () => {
  const ids = Array.from({ length: 20_000 }, () => newRecordId('app'));

  it('makes unique ids of the usual form, ordered by their millisecond', () => {
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^app-[0-9a-f]{16}$/);
    const millis = ids.map((id) => id.slice(4, 15));
    expect([...millis].sort()).toEqual(millis);
  });

  it('holds no count: consecutive ids of one millisecond do not step by one', () => {
    const suffix = (id: string) => parseInt(id.slice(15), 16);
    let steps = 0;
    let pairs = 0;
    for (let index = 1; index < ids.length; index++) {
      if (ids[index].slice(4, 15) !== ids[index - 1].slice(4, 15)) continue;
      pairs++;
      const gap = (suffix(ids[index]) - suffix(ids[index - 1]) + (1 << 20)) % (1 << 20);
      if (gap === 1) steps++;
    }
    expect(pairs).toBeGreaterThan(100);
    // Random suffixes step by exactly one about once in a million pairs; the counter would every time.
    expect(steps).toBeLessThanOrEqual(2);
  });
});
