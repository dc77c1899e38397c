/**
 * Finds a user function inside its module's source. The function object only gives its own text;
 * finding that text as a function node of the module's AST tells the line it starts on and lets
 * the module's scope analysis say what each free name really is (a local of `main()`, a parameter,
 * a module-level variable), so error messages can point at declarations.
 */
import { getLineInfo, type Node } from 'acorn';
import { walkNodes } from './forEachChildNode.js';
import type { FunctionNode } from './freeVariables.js';
import type { FunctionKind } from './parseFunctionSource.js';
import type { ModuleInfo } from './readModule.js';

/** A function found in its module. */
export interface LocatedFunction {
  /** Its node in the module's AST. */
  node: FunctionNode;
  /** The 1-based line where its source text starts in the module. */
  line: number;
}

const FUNCTION_TYPES = new Set(['ArrowFunctionExpression', 'FunctionExpression', 'FunctionDeclaration']);

/**
 * Returns the function node of `module` whose text is `source`: the first at or after line
 * `nearLine` (where the function was passed, so usually where it is written), else the last before
 * it (a function written earlier and passed by name). Returns `undefined` when the text is not in
 * the module, for instance when the function was defined in another module.
 */
export function locateFunction(
  module: ModuleInfo,
  source: string,
  kind: FunctionKind,
  nearLine: number,
): LocatedFunction | undefined {
  const candidates: LocatedFunction[] = [];
  walkNodes(module.parsed.program, (node, parent) => {
    if (!FUNCTION_TYPES.has(node.type) || !module.text.endsWith(source, node.end)) return;
    const start = node.end - source.length;
    if (kind === 'method' ? !isMethodValue(node, parent) : node.start !== start) return;
    candidates.push({ node: node as FunctionNode, line: getLineInfo(module.text, start).line });
  });
  return candidates.find((candidate) => candidate.line >= nearLine) ?? candidates.at(-1);
}

function isMethodValue(node: Node, parent: Node | undefined): boolean {
  if (parent === undefined || node.type !== 'FunctionExpression') return false;
  const owner = parent as Node & { value?: Node; method?: boolean };
  return (
    owner.value === node &&
    (parent.type === 'MethodDefinition' || (parent.type === 'Property' && owner.method === true))
  );
}
