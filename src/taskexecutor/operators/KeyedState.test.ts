import { describe, expect, it } from 'vitest';
import { KeyedState } from './KeyedState.js';

describe('KeyedState', () => {
  it('finds keys equal as data, and keeps a string apart from the number or literal it spells', () => {
    const state = new KeyedState<string>();
    state.set('1', 'string one');
    state.set(1, 'number one');
    state.set('null', 'string null');
    state.set(null, 'null');
    state.set({ a: 1, b: [2] }, 'object');
    expect(state.get('1')).toBe('string one');
    expect(state.get(1)).toBe('number one');
    expect(state.get('null')).toBe('string null');
    expect(state.get(null)).toBe('null');
    expect(state.get({ b: [2], a: 1 })).toBe('object');
    expect(state.get('"1"')).toBeUndefined();
    expect(state.size).toBe(5);
    expect([...state.values()]).toEqual(['string one', 'string null', 'number one', 'null', 'object']);
    state.clear();
    expect(state.size).toBe(0);
  });

  it('refuses keys that are not data', () => {
    expect(() => new KeyedState().get(() => 1)).toThrow(/a key must be data/);
  });
});
