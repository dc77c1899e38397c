/**
 * Reads a paged List RPC the way the paging options asked: one page, or every page until the
 * control plane answers an empty next_page_token; and tells on stderr when pages are left.
 */

/** Which pages to read: from `pageToken` (empty: the first), `pageSize` items each, one page or `all`. */
export interface PagingRequest {
  pageSize: number;
  pageToken: string;
  all: boolean;
}

/** A page of a List RPC's answer, in the shape every List response shares. */
export interface Page<T> {
  items: T[];
  nextPageToken: string;
}

/** The items of one page (or of all pages, for `--all`), and the token of the page after them. */
export async function readPages<T>(
  paging: PagingRequest,
  readPage: (pageSize: number, pageToken: string) => Promise<Page<T>>,
): Promise<Page<T>> {
  const items: T[] = [];
  let pageToken = paging.pageToken;
  for (;;) {
    const page = await readPage(paging.pageSize, pageToken);
    items.push(...page.items);
    pageToken = page.nextPageToken;
    if (!paging.all || pageToken === '') return { items, nextPageToken: pageToken };
  }
}

/** Every item of a paged List RPC, read in pages of the largest size. */
export async function readAllPages<T>(
  readPage: (pageSize: number, pageToken: string) => Promise<Page<T>>,
): Promise<T[]> {
  return (await readPages({ pageSize: 1000, pageToken: '', all: true }, readPage)).items;
}

/** A line on stderr when a page is left unread, saying how to read it: `command` is the verb with its arguments. */
export function noteMorePages(nextPageToken: string, command: string): void {
  if (nextPageToken === '') return;
  process.stderr.write(`more on the next page: ${command} --page-token ${nextPageToken} (or --all for every page)\n`);
}
