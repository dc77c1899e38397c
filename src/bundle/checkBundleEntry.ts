/**
 * Checks, before an application is accepted, that its entry (`module#export`) exists in its bundle:
 * the module is a file of the bundle and, for an ES module, exports a function of that name. The
 * module is read from the stored archive and parsed, never run. What cannot be known without
 * running it (CommonJS modules, `export *`, a module too large to read here) is left to the
 * runtime, which reports it with the same words.
 */
import { parse, type Node } from 'acorn';
import { posix } from 'node:path';
import { InvalidArgumentError } from '../common/errors.js';
import { mainModuleOf } from '../driver/loadDriverMain.js';
import { parseDriverEntry } from '../driver/parseDriverEntry.js';
import { readArchiveFiles } from './readArchiveFiles.js';

/** Throws InvalidArgumentError naming the problem when the bundle at `file` lacks the entry. */
export async function checkBundleEntry(file: string, entry: string): Promise<void> {
  const parsed = parseDriverEntry(entry);
  const packageJson = (await readArchiveFiles(file, ['package.json'])).get('package.json');
  const packageText = packageJson?.content.toString('utf8');
  const refuse = (problem: string): never => {
    throw new InvalidArgumentError(`entry "${entry}": ${problem}`);
  };
  let main: { module: string; source: string };
  try {
    main = parsed.module === undefined ? mainModuleOf(packageText) : { module: parsed.module, source: 'the entry' };
  } catch (error) {
    return refuse((error as Error).message);
  }
  const path = posix.normalize(main.module).replace(/^(\.\/)+/, '');
  const module = (await readArchiveFiles(file, [path])).get(path);
  if (!module) return refuse(`the module "${main.module}" (from ${main.source}) is not a file of the bundle`);
  if (module.truncated || !isEsModule(path, packageText)) return;
  let program;
  try {
    program = parse(module.content.toString('utf8'), { ecmaVersion: 'latest', sourceType: 'module' });
  } catch (error) {
    return refuse(`the module "${main.module}" does not parse as JavaScript: ${(error as Error).message}`);
  }
  const exported = exportedNames(program.body);
  if (exported === undefined || exported.has(parsed.exportName)) return;
  refuse(
    `the module "${main.module}" does not export "${parsed.exportName}"; its exports: ${exported.size > 0 ? [...exported].join(', ') : 'none'} (name one with -c module#export)`,
  );
}

/** The most (artifact, entry) pairs a {@link bundleEntryChecker} remembers; past it, it starts again. */
const MAX_REMEMBERED_ENTRIES = 10_000;

/**
 * {@link checkBundleEntry} for stored bundles, remembering each (artifact, entry) found: an artifact
 * is named by the sha256 of its bytes and never changes, so an entry found once is there for good,
 * and submissions of the same bundle do not read and parse its archive again. Refusals are not
 * remembered (they are rare, and read again).
 */
export function bundleEntryChecker(): (artifactId: string, file: string, entry: string) => Promise<void> {
  const found = new Set<string>();
  return async (artifactId, file, entry) => {
    const key = `${artifactId}/${entry}`;
    if (found.has(key)) return;
    await checkBundleEntry(file, entry);
    if (found.size >= MAX_REMEMBERED_ENTRIES) found.clear();
    found.add(key);
  };
}

/** Whether Node loads the module as an ES module: `.mjs`, or `.js` in a package of type "module". */
function isEsModule(path: string, packageText: string | undefined): boolean {
  if (path.endsWith('.mjs')) return true;
  if (!path.endsWith('.js') || packageText === undefined) return false;
  try {
    return (JSON.parse(packageText) as { type?: unknown }).type === 'module';
  } catch {
    return false;
  }
}

/** The names a module exports, or undefined when `export *` makes them unknowable here. */
function exportedNames(body: readonly Node[]): Set<string> | undefined {
  const names = new Set<string>();
  for (const node of body as Array<Node & Record<string, any>>) {
    if (node.type === 'ExportAllDeclaration') {
      if (!node.exported) return undefined;
      names.add(nameOf(node.exported));
    } else if (node.type === 'ExportDefaultDeclaration') {
      names.add('default');
    } else if (node.type === 'ExportNamedDeclaration') {
      const declaration = node.declaration;
      if (declaration?.id) names.add(declaration.id.name);
      for (const declarator of declaration?.declarations ?? [])
        if (declarator.id?.type === 'Identifier') names.add(declarator.id.name);
      for (const specifier of node.specifiers ?? []) names.add(nameOf(specifier.exported));
    }
  }
  return names;
}

function nameOf(node: { type: string; name?: string; value?: unknown }): string {
  return node.type === 'Identifier' ? String(node.name) : String(node.value);
}
