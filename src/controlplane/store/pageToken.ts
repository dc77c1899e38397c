/**
 * Page tokens of the control plane's list RPCs. Lists are newest first; a token holds the ordinal
 * (insertion order) of the last row of its page, so pages stay right while new rows arrive.
 */
import { InvalidArgumentError } from '../../common/errors.js';

/** Page sizes of list RPCs: the default for 0, and the cap. */
export const PAGE_SIZE = { default: 50, max: 1000 } as const;

/** The page size to use for a requested one (0 means the default; larger than the cap means the cap). */
function effectivePageSize(requested: number): number {
  return requested <= 0 ? PAGE_SIZE.default : Math.min(requested, PAGE_SIZE.max);
}

/** The token of the page after the row with this ordinal, in the list called `what`. */
function encodePageToken(what: string, ordinal: number): string {
  return Buffer.from(`${what}-before:${ordinal}`, 'utf8').toString('base64url');
}

/** The ordinal a token continues before; Infinity for the first page; INVALID_ARGUMENT for a token not issued for `what`. */
function decodePageToken(what: string, token: string): number {
  if (token === '') return Infinity;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const match = new RegExp(`^${what}-before:([1-9]\\d{0,15})$`).exec(text);
  if (!match || Buffer.from(text, 'utf8').toString('base64url') !== token) {
    throw new InvalidArgumentError(
      `page_token is not one this control plane issued for ${what}: pass the next_page_token of the previous page, or an empty token for the first page`,
    );
  }
  return Number(match[1]);
}

/** What a list RPC asks for: a page size (0 for the default) and the token of the page before (empty for the first). */
export interface PageRequest {
  pageSize: number;
  pageToken: string;
}

/**
 * One page of the list called `what`, newest first: `select` returns up to `limit` rows (newest
 * first) with an ordinal below `before`; the page holds the first ones, and its token continues
 * after the last when there are more.
 */
export function readPage<Row extends { ordinal: number }>(
  what: string,
  { pageSize, pageToken }: PageRequest,
  select: (before: number, limit: number) => Row[],
): { rows: Row[]; nextPageToken: string } {
  const before = decodePageToken(what, pageToken);
  const size = effectivePageSize(pageSize);
  const rows = select(Number.isFinite(before) ? before : Number.MAX_SAFE_INTEGER, size + 1);
  const page = rows.slice(0, size);
  return { rows: page, nextPageToken: rows.length > size ? encodePageToken(what, page[page.length - 1].ordinal) : '' };
}
