/**
 * ListJobs page tokens. Jobs are listed newest first; a token holds the submission ordinal of the
 * last job of the page, so a page stays correct while new jobs are submitted between calls.
 */
import { InvalidArgumentError } from '../common/errors.js';

const PREFIX = 'jobs-before:';

/** The token for the page after the job with this ordinal. */
export function encodeJobPageToken(ordinal: number): string {
  return Buffer.from(`${PREFIX}${ordinal}`, 'utf8').toString('base64url');
}

/** The ordinal a token continues before; Infinity for the first page; INVALID_ARGUMENT for a token not issued here. */
export function decodeJobPageToken(token: string): number {
  if (token === '') return Infinity;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const match = /^jobs-before:([1-9]\d{0,15})$/.exec(text);
  if (!match || Buffer.from(text, 'utf8').toString('base64url') !== token) {
    throw new InvalidArgumentError(
      'page_token is not one this job manager issued: pass the next_page_token of the previous page, or an empty token for the first page',
    );
  }
  return Number(match[1]);
}
