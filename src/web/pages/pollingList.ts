/**
 * A list page that fetches its rows again every {@link LIST_REFRESH_MS}: the contract can watch one
 * application but not all of them, so the lists poll (one cheap unary call) while the application
 * page is pushed. A failed fetch is shown above the table and retried at the next tick.
 */
import { h, replaceChildren } from '../ui/dom.js';
import { describeError } from '../session/Session.js';
import { LIST_REFRESH_MS } from './Page.js';

/** Options of {@link showPollingList}. */
export interface PollingListOptions<Row> {
  title: string;
  /** The column headings. */
  columns: readonly string[];
  /** Fetches the rows. */
  fetch(signal: AbortSignal): Promise<Row[]>;
  /** One table row. */
  render(row: Row): HTMLTableRowElement;
  /** What the table says when there are no rows. */
  empty: string;
}

/** Shows the list in `root` and keeps it fresh; returns what stops it. */
export function showPollingList<Row>(root: HTMLElement, options: PollingListOptions<Row>): () => void {
  const controller = new AbortController();
  const status = h('p', { class: 'status', 'data-testid': 'list-status' }, 'loading…');
  const body = h('tbody', null);
  const table = h(
    'table',
    null,
    h('thead', null, h('tr', null, ...options.columns.map((column) => h('th', null, column)))),
    body,
  );
  replaceChildren(root, h('h2', null, options.title), status, table);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const refresh = async () => {
    try {
      const rows = await options.fetch(controller.signal);
      replaceChildren(
        body,
        ...(rows.length > 0
          ? rows.map(options.render)
          : [h('tr', null, h('td', { colspan: String(options.columns.length) }, options.empty))]),
      );
      replaceChildren(status, `updated ${new Date().toLocaleTimeString()}, again every ${LIST_REFRESH_MS / 1000} s`);
      status.classList.remove('error');
    } catch (error) {
      if (controller.signal.aborted) return;
      replaceChildren(status, describeError(error));
      status.classList.add('error');
    }
    if (!controller.signal.aborted) timer = setTimeout(() => void refresh(), LIST_REFRESH_MS);
  };
  void refresh();
  return () => {
    controller.abort();
    clearTimeout(timer);
  };
}
