/**
 * `--limit N`, `--page-token TOKEN` and `--all` of the verbs that list a paged resource: a page at a
 * time, as the List RPCs answer, or every page; never a list silently cut at the page size.
 */
import type { PagingRequest } from '../output/readPages.js';
import type { OptionSpec, ParsedCommandLine } from './args.js';
import { positiveInteger } from './optionValues.js';

/** The largest page a List RPC returns. */
const MAX_PAGE_SIZE = 1000;

/** The paging options of a verb that lists `noun` (plural). */
export function pagingOptions(noun: string, defaultLimit: number): OptionSpec[] {
  return [
    {
      name: 'limit',
      type: 'number',
      valueName: 'N',
      description: `${noun[0].toUpperCase()}${noun.slice(1)} per page, at most ${MAX_PAGE_SIZE}; with --all, the size of each page read.`,
      default: defaultLimit,
    },
    {
      name: 'page-token',
      type: 'string',
      valueName: 'TOKEN',
      description: 'Start at the page this token names, as the previous page printed it.',
    },
    { name: 'all', type: 'boolean', description: `Read every page and print all ${noun} at once.` },
  ];
}

/** The paging options' values, checked. */
export function pagingRequestOf(args: ParsedCommandLine): PagingRequest {
  const pageSize = Math.min(positiveInteger(args, 'limit'), MAX_PAGE_SIZE);
  return {
    pageSize,
    pageToken: (args.options['page-token'] as string | undefined) ?? '',
    all: args.options.all === true,
  };
}
