/**
 * The dashboard's entry: a header with the pages and the token box, and the page the URL's hash
 * names: `#/` applications, `#/clusters` clusters, `#/applications/<id>` one application. Pages
 * change without a reload; each stops its calls when left.
 */
import { h, replaceChildren } from './ui/dom.js';
import { applicationPage } from './pages/applicationPage.js';
import { applicationsPage } from './pages/applicationsPage.js';
import { clustersPage } from './pages/clustersPage.js';
import type { Page } from './pages/Page.js';
import { Session } from './session/Session.js';
import { tokenBox } from './ui/tokenBox.js';

/** The page for a hash. */
function route(hash: string): Page {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'clusters') return clustersPage;
  if (parts[0] === 'applications' && parts[1]) return applicationPage(parts[1]);
  return applicationsPage;
}

function start(): void {
  const session = new Session();
  const main = h('main', null);
  const nav = h(
    'nav',
    null,
    h('a', { href: '#/', 'data-testid': 'nav-applications' }, 'Applications'),
    h('a', { href: '#/clusters', 'data-testid': 'nav-clusters' }, 'Clusters'),
  );
  replaceChildren(
    document.body,
    h(
      'header',
      null,
      h('h1', null, 'Flotilla'),
      nav,
      tokenBox(session, () => show()),
    ),
    main,
  );
  let leave: (() => void) | undefined;
  const show = () => {
    leave?.();
    leave = route(location.hash)(main, session);
  };
  window.addEventListener('hashchange', show);
  show();
}

start();
