/**
 * The free variables of a function: the names it reads or writes that it does not declare itself.
 * This is what decides whether a function can run on a task executor, so it uses a real scope
 * analysis (eslint-scope) rather than a scan of identifiers: parameters with destructuring and
 * defaults, `var`/`let`/`const`/function hoisting, catch parameters, nested functions and classes,
 * shorthand properties (`{ a }` reads `a`), member expressions (`x.y` reads only `x`) and labels
 * are all handled the way the language defines them.
 */
import type { Identifier, Node } from 'acorn';
import type { ScopeManager, Variable } from 'eslint-scope';
import { walkNodes } from './forEachChildNode.js';

/** A function node as the parsers here produce it. */
export type FunctionNode = Node & { type: 'ArrowFunctionExpression' | 'FunctionExpression' | 'FunctionDeclaration' };

/** One name a function uses without declaring it. */
export interface FreeVariable {
  /** The name. */
  name: string;
  /** The 1-based line of its first use, in the text that was parsed. */
  line: number;
  /** The 0-based column of its first use. */
  column: number;
  /**
   * The variable it resolves to in an enclosing scope of the parsed text, or `null` when nothing
   * in the text declares it (a global, or a name declared outside the text that was parsed).
   */
  resolved: Variable | null;
  /** Whether every use is the operand of `typeof`, which never throws for undeclared names. */
  onlyTypeof: boolean;
}

/**
 * Returns the free variables of `node`, a function in the program `scopeManager` analysed, in the
 * order of their first use. A function declaration's own name counts as declared, since the
 * function is rebuilt as a named function expression, which binds its own name.
 *
 * @throws Error when `node` is not a function of the analysed program.
 */
export function freeVariables(scopeManager: ScopeManager, node: FunctionNode): FreeVariable[] {
  const scope = scopeManager.acquire(node as unknown as Parameters<ScopeManager['acquire']>[0]);
  if (scope === null) throw new Error(`no scope for the ${node.type} at offset ${node.start}`);
  const typeofOperands = typeofOperandsIn(node);
  const byName = new Map<string, FreeVariable>();
  for (const reference of scope.through) {
    const identifier = reference.identifier as unknown as Identifier;
    if (reference.resolved?.defs.some((def) => def.type === 'FunctionName' && (def.node as unknown) === node)) continue;
    const onlyTypeof = typeofOperands.has(identifier);
    const known = byName.get(identifier.name);
    if (known === undefined) {
      const start = identifier.loc?.start ?? { line: 1, column: identifier.start };
      byName.set(identifier.name, {
        name: identifier.name,
        line: start.line,
        column: start.column,
        resolved: reference.resolved,
        onlyTypeof,
      });
    } else {
      known.onlyTypeof &&= onlyTypeof;
    }
  }
  return [...byName.values()].sort((a, b) => a.line - b.line || a.column - b.column);
}

function typeofOperandsIn(root: Node): Set<Node> {
  const operands = new Set<Node>();
  walkNodes(root, (node) => {
    if (node.type === 'UnaryExpression') {
      const unary = node as Node & { operator: string; argument: Node };
      if (unary.operator === 'typeof' && unary.argument.type === 'Identifier') operands.add(unary.argument);
    }
  });
  return operands;
}
