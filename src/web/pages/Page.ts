/** What a page of the dashboard is: it fills its root and stops its calls and timers when left. */
import type { Session } from '../session/Session.js';

/** A page shown in `root`; the returned function is called when another page replaces it. */
export type Page = (root: HTMLElement, session: Session) => () => void;

/** How often the lists are fetched again: the contract has no watch over all applications or clusters. */
export const LIST_REFRESH_MS = 2000;
