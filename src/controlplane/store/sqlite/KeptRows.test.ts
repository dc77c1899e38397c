import { describe, expect, it } from 'vitest';
import { KeptRows } from './KeptRows.js';

interface Row {
  id: string;
  status: string;
}

const rows = () => new KeptRows<Row>({ max: 2, ended: (row) => row.status === 'ENDED' });

describe('KeptRows', () => {
  it('answers a kept row with one settled promise until a write replaces the row', async () => {
    const kept = rows();
    expect(kept.answer('a')).toBeUndefined();
    kept.keep({ id: 'a', status: 'RUNNING' });
    const first = kept.answer('a');
    expect(kept.answer('a')).toBe(first);
    expect(await first).toEqual({ id: 'a', status: 'RUNNING' });
    kept.update('a', (row) => ({ ...row, status: 'STOPPING' }));
    const second = kept.answer('a');
    expect(second).not.toBe(first);
    expect(await second).toEqual({ id: 'a', status: 'STOPPING' });
    expect(await first).toEqual({ id: 'a', status: 'RUNNING' });
  });

  it('has no answer for a row that ended, was dropped, or made room for newer ones', () => {
    const kept = rows();
    kept.keep({ id: 'a', status: 'RUNNING' });
    kept.update('a', (row) => ({ ...row, status: 'ENDED' }));
    expect(kept.answer('a')).toBeUndefined();
    kept.keep({ id: 'b', status: 'RUNNING' });
    kept.drop('b');
    expect(kept.answer('b')).toBeUndefined();
    for (const id of ['c', 'd', 'e']) kept.keep({ id, status: 'RUNNING' });
    expect(kept.answer('c')).toBeUndefined();
    expect(kept.get('e')).toEqual({ id: 'e', status: 'RUNNING' });
    kept.clear();
    expect(kept.answer('e')).toBeUndefined();
  });
});
