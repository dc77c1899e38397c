import { describe, expect, it } from 'vitest';
import { canonicalKey } from './canonicalKey.js';
import { selectChannel } from './selectChannel.js';
import { stableHash32 } from './stableHash32.js';

/** FNV-1a over bytes plus murmur3's finalizer, written the plain way, to check the inlined UTF-8. */
function referenceHash(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

describe('canonicalKey', () => {
  it('is JSON with object properties sorted, at every depth', () => {
    expect(canonicalKey('a"b')).toBe('"a\\"b"');
    expect(canonicalKey(42)).toBe('42');
    expect(canonicalKey([1, 'x', null, true])).toBe('[1,"x",null,true]');
    expect(canonicalKey({ b: 1, a: { d: [2], c: 3 } })).toBe(canonicalKey({ a: { c: 3, d: [2] }, b: 1 }));
    expect(canonicalKey({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
    expect(canonicalKey({ a: 1, gone: undefined })).toBe(canonicalKey({ a: 1 }));
    expect(canonicalKey(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"');
  });

  it('keeps apart what JSON would merge', () => {
    const keys = ['1', 1, 1n, NaN, null, undefined, Infinity, -Infinity, true, 'true', [1], { 0: 1 }];
    expect(new Set(keys.map(canonicalKey)).size).toBe(keys.length);
    expect(canonicalKey(-0)).toBe(canonicalKey(0));
  });

  it('refuses functions and symbols', () => {
    expect(() => canonicalKey(() => 1)).toThrow(/a key must be data/);
    expect(() => canonicalKey(Symbol('s'))).toThrow(/a key must be data/);
  });
});

describe('stableHash32', () => {
  it('hashes the UTF-8 bytes, including astral characters and lone surrogates', () => {
    for (const text of ['', 'a', 'hello world', 'Grüße', '€uro', '😀 smile', 'x\ud800y', '\udc00', 'end\ud83d']) {
      expect(stableHash32(text)).toBe(referenceHash(text));
    }
  });

  it('gives fixed values that must never change (producers and consumers may run different builds)', () => {
    expect(stableHash32('a')).toBe(0x1a80b1b3);
    expect(stableHash32('"hello"')).toBe(3580588865);
    expect([selectChannel('hello', 4), selectChannel('world', 4), selectChannel(1, 3)]).toEqual([1, 0, 1]);
  });
});

describe('selectChannel', () => {
  it('sends equal keys to the same channel and spreads distinct keys over all channels', () => {
    const counts = new Array<number>(4).fill(0);
    for (let i = 0; i < 4000; i++) {
      const channel = selectChannel(`word-${i}`, 4);
      expect(channel).toBe(selectChannel(`word-${i}`, 4));
      counts[channel]++;
    }
    for (const count of counts) expect(count).toBeGreaterThan(800);
    expect(selectChannel({ user: 'ann', day: 3 }, 7)).toBe(selectChannel({ day: 3, user: 'ann' }, 7));
    expect(selectChannel('anything', 1)).toBe(0);
  });

  it('refuses a channel count that is not a positive integer', () => {
    expect(() => selectChannel('k', 0)).toThrow(/positive integer/);
    expect(() => selectChannel('k', 1.5)).toThrow(/positive integer/);
  });
});
