/**
 * The token box: hidden until a call is refused UNAUTHENTICATED (the control plane asks for tokens,
 * --auth-config) or a token is stored; the token is the same bearer token the CLI sends
 * (--token, FLOTILLA_TOKEN), kept in this tab's sessionStorage only.
 */
import { h, replaceChildren } from './dom.js';
import type { Session } from '../session/Session.js';

/** The box's form; `changed` is called after the token was set or forgotten. */
export function tokenBox(session: Session, changed: () => void): HTMLElement {
  const input = h('input', {
    type: 'password',
    autocomplete: 'off',
    placeholder: 'bearer token',
    'data-testid': 'token',
  });
  const reason = h('span', { class: 'status' });
  const forget = h('button', { type: 'button' }, 'Forget');
  const form = h('form', { class: 'token-box' }, reason, input, h('button', { type: 'submit' }, 'Use token'), forget);
  form.hidden = session.token === undefined;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    session.setToken(input.value);
    input.value = '';
    replaceChildren(reason, session.token ? 'token set' : '');
    changed();
  });
  forget.addEventListener('click', () => {
    session.setToken('');
    replaceChildren(reason, 'token forgotten');
    changed();
  });
  session.onUnauthenticated((message) => {
    form.hidden = false;
    replaceChildren(reason, `This control plane asks for a token: ${message}`);
  });
  return form;
}
