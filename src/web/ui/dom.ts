/**
 * Building the page from data safely: text is only ever set as text nodes (textContent), never
 * parsed as HTML, so nothing an application's name, a log line or an error says can become markup.
 */

/** A child of an element: a node, text, or nothing. */
export type Child = Node | string | number | bigint | undefined | null | false;

/** Attributes set with setAttribute (never event handlers or HTML). */
export type Attributes = Record<string, string | undefined>;

/** A new `<tag>` with `attributes` and `children` (text as text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (/^on/i.test(name)) throw new Error(`h() sets no event handler attributes (${name})`);
    if (value !== undefined) element.setAttribute(name, value);
  }
  append(element, ...children);
  return element;
}

/** Appends `children` to `parent`, text as text nodes. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces everything in `parent` with `children`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A link to a page of the dashboard (`#/...`), each part of the path URI-encoded. */
export function pageLink(parts: readonly string[], ...children: Child[]): HTMLAnchorElement {
  return h('a', { href: `#/${parts.map(encodeURIComponent).join('/')}` }, ...children);
}
