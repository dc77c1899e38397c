/**
 * Finds the uses of an enclosing context that scope analysis does not report as variables: `this`,
 * `super` and `new.target` of the scope around an arrow function (or `super` of a method's home
 * object), and `import.meta` of the defining module. None of these exist when the function is
 * rebuilt from source on a task executor, so capture refuses them like captured variables.
 */
import type { Node } from 'acorn';
import { forEachChildNode } from './forEachChildNode.js';
import type { FunctionNode } from './freeVariables.js';

/** One use of an enclosing context. */
export interface ContextReference {
  /** What is used. */
  name: 'this' | 'super' | 'new.target' | 'import.meta';
  /** The 1-based line of the use in the parsed text. */
  line: number;
}

/**
 * Which context a node sees: `outer` is the context around the user's function (inside an arrow
 * function at the top); `own` is the function's own `this` and `new.target` (which are fine) with
 * its home object for `super` (which is not); `inner` is a nested function's or class's own.
 */
type Context = 'outer' | 'own' | 'inner';

/** Returns every use of an enclosing context inside `root`, in source order. */
export function contextReferences(root: FunctionNode): ContextReference[] {
  const found: ContextReference[] = [];
  const add = (name: ContextReference['name'], node: Node): void => {
    found.push({ name, line: node.loc?.start.line ?? 1 });
  };
  const visit = (node: Node, context: Context): void => {
    switch (node.type) {
      case 'ThisExpression':
        if (context === 'outer') add('this', node);
        return;
      case 'Super':
        if (context !== 'inner') add('super', node);
        return;
      case 'MetaProperty': {
        const meta = (node as Node & { meta: { name: string } }).meta.name;
        if (meta === 'import') add('import.meta', node);
        else if (context === 'outer') add('new.target', node);
        return;
      }
      case 'FunctionExpression':
      case 'FunctionDeclaration':
        forEachChildNode(node, (child) => visit(child, 'inner'));
        return;
      case 'ClassBody':
        visitClassBody(node, context);
        return;
      default:
        forEachChildNode(node, (child) => visit(child, context));
    }
  };
  const visitClassBody = (body: Node, context: Context): void => {
    for (const member of (body as Node & { body: Node[] }).body) {
      const element = member as Node & { computed?: boolean; key?: Node };
      forEachChildNode(member, (child, key) => {
        // A computed key is evaluated where the class is; everything else sees the class's own context.
        visit(child, key === 'key' && element.computed === true ? context : 'inner');
      });
    }
  };
  forEachChildNode(root, (child) => visit(child, root.type === 'ArrowFunctionExpression' ? 'outer' : 'own'));
  return found.sort((a, b) => a.line - b.line);
}
