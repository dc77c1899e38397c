/**
 * A generic walk over acorn's ESTree nodes. The checks that eslint-scope does not do for us (which
 * function in a module is the user's, whether it uses `this` or `import.meta`) need to visit every
 * node; eslint-visitor-keys says which properties hold children, for every node type acorn makes.
 */
import type { Node } from 'acorn';
import { KEYS } from 'eslint-visitor-keys';

/** Calls `visit` for each direct child node of `node`, in source order. */
export function forEachChildNode(node: Node, visit: (child: Node, key: string) => void): void {
  const keys = KEYS[node.type] ?? [];
  const record = node as unknown as Record<string, unknown>;
  for (const key of keys) {
    const value = record[key];
    if (Array.isArray(value)) {
      for (const item of value) {
        if (isNode(item)) visit(item, key);
      }
    } else if (isNode(value)) {
      visit(value, key);
    }
  }
}

/** Calls `visit` for `root` and every node below it, parents before children. */
export function walkNodes(root: Node, visit: (node: Node, parent: Node | undefined) => void): void {
  const step = (node: Node, parent: Node | undefined): void => {
    visit(node, parent);
    forEachChildNode(node, (child) => step(child, node));
  };
  step(root, undefined);
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
