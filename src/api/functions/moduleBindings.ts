/**
 * What a module makes available to the functions it defines, read from its top level: the names it
 * imports (and from where), the names it exports, and every other top-level name. Capture uses it
 * to tell an allowed name (import, export) from a refused one (a module-level variable the module
 * does not export); a task executor uses it to import the same things again.
 */
import type { Node, Pattern, Program } from 'acorn';

/** One imported name: `import { imported as local } from 'specifier'`. */
export interface ImportBinding {
  /** The module specifier as written. */
  specifier: string;
  /** The imported name: `default`, `*` for a namespace import, or the exported name. */
  imported: string;
  /** Import attributes such as `{ type: 'json' }`; empty when none. */
  attributes: Record<string, string>;
  /** The 1-based line of the import declaration. */
  line: number;
}

/** The top-level bindings of a module. */
export interface ModuleBindings {
  /** Imported names by local name. */
  imports: Map<string, ImportBinding>;
  /** For each exported local binding, the name it is exported as (`export { a as b }` maps a to b). */
  exports: Map<string, string>;
  /** Every name declared at top level (imports excluded), with the line declaring it. */
  topLevel: Map<string, number>;
}

/** Reads the top-level bindings of a parsed module. */
export function moduleBindings(program: Program): ModuleBindings {
  const bindings: ModuleBindings = { imports: new Map(), exports: new Map(), topLevel: new Map() };
  for (const statement of program.body) {
    switch (statement.type) {
      case 'ImportDeclaration': {
        const specifier = String(statement.source.value);
        const attributes = Object.fromEntries(
          (statement.attributes ?? []).map((attribute) => [nameOf(attribute.key), String(attribute.value.value)]),
        );
        for (const item of statement.specifiers) {
          const imported =
            item.type === 'ImportDefaultSpecifier'
              ? 'default'
              : item.type === 'ImportNamespaceSpecifier'
                ? '*'
                : nameOf(item.imported);
          bindings.imports.set(item.local.name, { specifier, imported, attributes, line: lineOf(statement) });
        }
        break;
      }
      case 'ExportNamedDeclaration':
        if (statement.declaration) {
          for (const name of declaredNames(statement.declaration, bindings.topLevel)) bindings.exports.set(name, name);
        } else if (statement.source === null || statement.source === undefined) {
          for (const item of statement.specifiers) {
            if (item.local.type === 'Identifier') bindings.exports.set(item.local.name, nameOf(item.exported));
          }
        }
        break;
      case 'ExportDefaultDeclaration': {
        const declaration = statement.declaration;
        if ((declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') && declaration.id) {
          bindings.topLevel.set(declaration.id.name, lineOf(declaration));
          bindings.exports.set(declaration.id.name, 'default');
        }
        break;
      }
      default:
        declaredNames(statement, bindings.topLevel);
    }
  }
  return bindings;
}

/** Records the names a declaration statement declares into `into` and returns them. */
function declaredNames(statement: Node, into: Map<string, number>): string[] {
  const names: string[] = [];
  const add = (name: string, node: Node): void => {
    names.push(name);
    if (!into.has(name)) into.set(name, lineOf(node));
  };
  if (statement.type === 'VariableDeclaration') {
    for (const declarator of (statement as Node & { declarations: Array<{ id: Pattern }> }).declarations) {
      collectPatternNames(declarator.id, add);
    }
  } else if (statement.type === 'FunctionDeclaration' || statement.type === 'ClassDeclaration') {
    const id = (statement as Node & { id: { name: string } | null }).id;
    if (id) add(id.name, statement);
  }
  return names;
}

function collectPatternNames(pattern: Pattern, add: (name: string, node: Node) => void): void {
  switch (pattern.type) {
    case 'Identifier':
      add(pattern.name, pattern);
      break;
    case 'ObjectPattern':
      for (const property of pattern.properties) {
        collectPatternNames(property.type === 'RestElement' ? property.argument : property.value, add);
      }
      break;
    case 'ArrayPattern':
      for (const element of pattern.elements) if (element) collectPatternNames(element, add);
      break;
    case 'RestElement':
      collectPatternNames(pattern.argument, add);
      break;
    case 'AssignmentPattern':
      collectPatternNames(pattern.left, add);
      break;
    default:
      // A member expression is only valid as an assignment target, never in a declaration.
      break;
  }
}

function nameOf(node: Node): string {
  const named = node as Node & { name?: string; value?: unknown };
  return named.type === 'Identifier' ? String(named.name) : String(named.value);
}

function lineOf(node: Node): number {
  return node.loc?.start.line ?? 1;
}
