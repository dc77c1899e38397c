/**
 * Decides, for one free name of a user function, whether it will exist on a task executor and, if
 * not, what it is. This is the rule of the user API in one place: globals, the module's imports,
 * the module's exports and values passed explicitly are fine; everything else is captured.
 */
import type { Node } from 'acorn';
import type { CapturedVariable } from './CapturedVariableError.js';
import type { FreeVariable } from './freeVariables.js';
import type { ModuleBindings } from './moduleBindings.js';

/** What the classification needs to know besides the name itself. */
export interface ClassifyContext {
  /** The defining module's top-level bindings. */
  bindings: ModuleBindings;
  /** The names passed explicitly. */
  bound: ReadonlySet<string>;
  /** Whether the function was found in its module, so that unresolved names are truly undeclared. */
  located: boolean;
  /** Formats a line of the module as `file:line`. */
  at(line: number): string;
  /** Maps a line of the analysed text to a line of the module. */
  moduleLine(line: number): number;
}

/** Returns how `variable` is captured, or `undefined` when it will exist on a task executor. */
export function classifyFreeVariable(variable: FreeVariable, context: ClassifyContext): CapturedVariable | undefined {
  const { name } = variable;
  if (context.bound.has(name)) return undefined;
  const usedAt = context.at(context.moduleLine(variable.line));
  const resolved = variable.resolved;
  if (resolved === null || resolved.scope.type === 'module' || resolved.scope.type === 'global') {
    const { imports, exports, topLevel } = context.bindings;
    if (imports.has(name) || exports.has(name)) return undefined;
    const declaredLine = topLevel.get(name);
    if (declaredLine !== undefined)
      return { name, kind: 'moduleVariable', usedAt, declaredAt: context.at(declaredLine) };
    if (resolved !== null)
      return { name, kind: 'moduleVariable', usedAt, ...declaredAt(resolved.defs[0]?.name, context) };
    if (name === 'arguments') return { name, kind: 'context', usedAt };
    if (name in globalThis || variable.onlyTypeof) return undefined;
    return { name, kind: context.located ? 'undeclared' : 'enclosing', usedAt };
  }
  const definition = resolved.defs[0];
  const declaredIn = functionName(resolved.scope.variableScope.block as unknown as Node);
  const where = { usedAt, ...declaredAt(definition?.name, context), ...(declaredIn ? { declaredIn } : {}) };
  if (definition === undefined) {
    // Only the implicit `arguments` of a function has no definition.
    return { name, kind: name === 'arguments' ? 'context' : 'local', ...where };
  }
  if (definition.type === 'Parameter') return { name, kind: 'parameter', ...where };
  if (definition.type === 'CatchClause') return { name, kind: 'catchParameter', ...where };
  return { name, kind: 'local', ...where };
}

function declaredAt(
  identifier: { loc?: { start: { line: number } } | null } | undefined,
  context: ClassifyContext,
): { declaredAt?: string } {
  const line = identifier?.loc?.start.line;
  return line === undefined ? {} : { declaredAt: context.at(line) };
}

function functionName(block: Node): string | undefined {
  const id = (block as Node & { id?: { name?: string } | null }).id;
  if (block.type === 'Program') return undefined;
  return id?.name ? `${id.name}()` : undefined;
}
