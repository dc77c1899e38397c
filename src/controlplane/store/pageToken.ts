/**
 * Page tokens of the control plane's list RPCs. Lists are newest first; a page continues after the
 * ordinal (insertion order) of the last row of the page before, so pages stay right while new rows
 * arrive. Ordinals are shared by every tenant, so a token never shows one: it is the ordinal
 * encrypted (AES-256-GCM) with a key the store holds, bound to the list and the tenant it was issued
 * for. A tenant learns nothing from it about other tenants' rows, and a token that was not issued
 * by this store for this list and tenant, crafted or altered, is INVALID_ARGUMENT.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../../common/errors.js';

/** Page sizes of list RPCs: the default for 0, and the cap. */
export const PAGE_SIZE = { default: 50, max: 1000 } as const;

/** The length in bytes of the key of {@link PageTokens}. */
export const PAGE_TOKEN_KEY_BYTES = 32;

const IV_BYTES = 12;
const ORDINAL_BYTES = 8;
const TAG_BYTES = 16;
const TOKEN_BYTES = IV_BYTES + ORDINAL_BYTES + TAG_BYTES;

/** What a list RPC asks for: a page size (0 for the default) and the token of the page before (empty for the first). */
export interface PageRequest {
  pageSize: number;
  pageToken: string;
  /** The tenant listing; its tokens are its own. */
  tenant: string;
}

/** Issues and reads the page tokens of one store. */
export class PageTokens {
  constructor(private readonly key: Buffer) {
    if (key.length !== PAGE_TOKEN_KEY_BYTES) throw new Error(`a page token key has ${PAGE_TOKEN_KEY_BYTES} bytes`);
  }

  /**
   * One page of the list called `what`, newest first: `select` returns up to `limit` rows (newest
   * first) with an ordinal below `before`; the page holds the first ones, and its token continues
   * after the last when there are more.
   */
  readPage<Row extends { ordinal: number }>(
    what: string,
    request: PageRequest,
    select: (before: number, limit: number) => Row[],
  ): { rows: Row[]; nextPageToken: string } {
    const { before, limit } = this.startPage(what, request);
    return this.endPage(what, request, select(before, limit));
  }

  /**
   * Where a page of the list called `what` starts, for a store whose rows arrive asynchronously:
   * it selects up to `limit` rows (newest first) with an ordinal below `before` and hands them to
   * {@link PageTokens.endPage}. INVALID_ARGUMENT for a token not issued for the list and tenant.
   */
  startPage(what: string, { pageSize, pageToken, tenant }: PageRequest): { before: number; limit: number } {
    const before = pageToken === '' ? Number.MAX_SAFE_INTEGER : this.decode(what, tenant, pageToken);
    return { before, limit: effectivePageSize(pageSize) + 1 };
  }

  /** The page of the rows selected from {@link PageTokens.startPage}, with the token of the next one. */
  endPage<Row extends { ordinal: number }>(
    what: string,
    { pageSize, tenant }: PageRequest,
    rows: Row[],
  ): { rows: Row[]; nextPageToken: string } {
    const size = effectivePageSize(pageSize);
    const page = rows.slice(0, size);
    return {
      rows: page,
      nextPageToken: rows.length > size ? this.encode(what, tenant, page[page.length - 1].ordinal) : '',
    };
  }

  /** The token of the page after the row with this ordinal. */
  private encode(what: string, tenant: string, ordinal: number): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(boundTo(what, tenant));
    const plain = Buffer.alloc(ORDINAL_BYTES);
    plain.writeBigUInt64BE(BigInt(ordinal));
    return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]).toString('base64url');
  }

  /** The ordinal a token continues before; INVALID_ARGUMENT for a token not issued for `what` and `tenant`. */
  private decode(what: string, tenant: string, token: string): number {
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length === TOKEN_BYTES && bytes.toString('base64url') === token) {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES)).setAAD(
        boundTo(what, tenant),
      );
      decipher.setAuthTag(bytes.subarray(IV_BYTES + ORDINAL_BYTES));
      try {
        const plain = Buffer.concat([
          decipher.update(bytes.subarray(IV_BYTES, IV_BYTES + ORDINAL_BYTES)),
          decipher.final(),
        ]);
        const ordinal = Number(plain.readBigUInt64BE());
        if (Number.isSafeInteger(ordinal) && ordinal >= 1) return ordinal;
      } catch {
        // Not this store's token for this list and tenant: answered below.
      }
    }
    throw new InvalidArgumentError(
      `page_token is not one this control plane issued for ${what}: pass the next_page_token of the previous page, or an empty token for the first page`,
    );
  }
}

/** The page size to use for a requested one (0 means the default; larger than the cap means the cap). */
function effectivePageSize(requested: number): number {
  return requested <= 0 ? PAGE_SIZE.default : Math.min(requested, PAGE_SIZE.max);
}

/** What a token is bound to: the list and the tenant. */
function boundTo(what: string, tenant: string): Buffer {
  return Buffer.from(JSON.stringify([what, tenant]), 'utf8');
}
