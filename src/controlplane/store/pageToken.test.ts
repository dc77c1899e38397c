import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../common/errors.js';
import { PageTokens } from './pageToken.js';

/** Rows with ordinals 1..count, newest first below `before`, as a store selects them. */
function rows(count: number) {
  return (before: number, limit: number) =>
    Array.from({ length: count }, (_, index) => ({ ordinal: index + 1 }))
      .filter((row) => row.ordinal < before)
      .reverse()
      .slice(0, limit);
}

describe('PageTokens', () => {
  const tokens = new PageTokens(randomBytes(32));
  const request = { pageSize: 2, pageToken: '', tenant: 'team-a' };

  it('pages through a list and ends with an empty token', () => {
    const first = tokens.readPage('applications', request, rows(5));
    expect(first.rows.map((row) => row.ordinal)).toEqual([5, 4]);
    const second = tokens.readPage('applications', { ...request, pageToken: first.nextPageToken }, rows(5));
    expect(second.rows.map((row) => row.ordinal)).toEqual([3, 2]);
    const last = tokens.readPage('applications', { ...request, pageToken: second.nextPageToken }, rows(5));
    expect(last).toEqual({ rows: [{ ordinal: 1 }], nextPageToken: '' });
  });

  it('shows no ordinal: the token holds neither its text nor its bytes, and two tokens of one position differ', () => {
    const { nextPageToken } = tokens.readPage('applications', { ...request, pageSize: 1 }, rows(300));
    const bytes = Buffer.from(nextPageToken, 'base64url');
    expect(bytes.toString('latin1')).not.toContain('300');
    const ordinal = Buffer.alloc(8);
    ordinal.writeBigUInt64BE(300n);
    expect(bytes.includes(ordinal.subarray(4))).toBe(false);
    expect(tokens.readPage('applications', { ...request, pageSize: 1 }, rows(300)).nextPageToken).not.toBe(
      nextPageToken,
    );
  });

  it('refuses tokens it did not issue for the list and tenant with INVALID_ARGUMENT', () => {
    const { nextPageToken } = tokens.readPage('applications', request, rows(5));
    const crafted = [
      Buffer.from('applications-before:3').toString('base64url'),
      'garbage',
      `${nextPageToken}A`,
      new PageTokens(randomBytes(32)).readPage('applications', request, rows(5)).nextPageToken,
    ];
    for (const pageToken of crafted)
      expect(() => tokens.readPage('applications', { ...request, pageToken }, rows(5))).toThrow(InvalidArgumentError);
    expect(() => tokens.readPage('clusters', { ...request, pageToken: nextPageToken }, rows(5))).toThrow(
      /page_token is not one this control plane issued for clusters/,
    );
    expect(() =>
      tokens.readPage('applications', { ...request, tenant: 'team-b', pageToken: nextPageToken }, rows(5)),
    ).toThrow(InvalidArgumentError);
  });
});
