/**
 * Checks, before an application is accepted, that its entry (`module#export`) exists in its bundle:
 * the module is a file of the bundle and, for an ES module, exports a function of that name. Which
 * module, and whether the bundle has it, is answered by the bundle's index (made when it was
 * uploaded), so a refusal for a missing module reads nothing of the archive; only an ES module
 * that is there is read from the archive (up to it, not past it) and parsed, never run. What cannot
 * be known without running it (CommonJS modules, `export *`, a module too large to read here) is
 * left to the runtime, which reports it with the same words.
 */
import { parse, type Node } from 'acorn';
import { posix } from 'node:path';
import { InvalidArgumentError } from '../common/errors.js';
import { mainModuleOf } from '../driver/loadDriverMain.js';
import { parseDriverEntry } from '../driver/parseDriverEntry.js';
import type { BundleIndex } from './BundleIndex.js';
import type { ArchiveFile } from './readArchiveFiles.js';
import type { StoredBundles } from './StoredBundleIndexes.js';

/** The largest module whose exports are checked here; a larger one is left to the runtime. */
const MAX_MODULE_BYTES = 1024 * 1024;

/**
 * Throws InvalidArgumentError naming the problem when the bundle `index` describes lacks the
 * entry; `readFile` reads one file of the bundle, when an ES module's exports are to be checked.
 */
export async function checkBundleEntry(
  index: BundleIndex,
  entry: string,
  readFile: (path: string) => Promise<ArchiveFile | undefined>,
): Promise<void> {
  const parsed = parseDriverEntry(entry);
  const refuse = (problem: string): never => {
    throw new InvalidArgumentError(`entry "${entry}": ${problem}`);
  };
  let main: { module: string; source: string };
  try {
    main = parsed.module === undefined ? mainModuleOfIndex(index) : { module: parsed.module, source: 'the entry' };
  } catch (error) {
    return refuse((error as Error).message);
  }
  const path = posix.normalize(main.module).replace(/^(\.\/)+/, '');
  const size = index.files.get(path);
  if (size === undefined)
    return refuse(`the module "${main.module}" (from ${main.source}) is not a file of the bundle`);
  if (size > MAX_MODULE_BYTES || !isEsModule(path, index)) return;
  const module = await readFile(path);
  if (!module || module.truncated) return;
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

/** The most (artifact, entry) outcomes a {@link bundleEntryChecker} remembers; past it, it starts again. */
const MAX_REMEMBERED_ENTRIES = 10_000;
/** Entries longer than this are checked every time instead of being remembered (they would fill memory). */
const MAX_REMEMBERED_ENTRY_LENGTH = 1024;

/**
 * {@link checkBundleEntry} for stored bundles, remembering the outcome of each (artifact, entry),
 * refusals as well as acceptances: an artifact is named by the sha256 of its bytes and never
 * changes, so the same entry of it gets the same answer for good, and checks of it at once share
 * one. A failure that is not a refusal (the archive could not be read) is not remembered.
 */
export function bundleEntryChecker(bundles: StoredBundles): (artifactId: string, entry: string) => Promise<void> {
  const outcomes = new Map<string, Promise<string | undefined>>();
  const check = (artifactId: string, entry: string): Promise<string | undefined> =>
    bundles.index(artifactId).then((index) =>
      checkBundleEntry(index, entry, (path) => bundles.readFile(artifactId, path)).then(
        () => undefined,
        (error: unknown) => {
          if (error instanceof InvalidArgumentError) return error.message;
          throw error;
        },
      ),
    );
  return async (artifactId, entry) => {
    const key = `${artifactId}/${entry}`;
    let outcome = outcomes.get(key);
    if (!outcome) {
      outcome = check(artifactId, entry);
      if (entry.length <= MAX_REMEMBERED_ENTRY_LENGTH) {
        if (outcomes.size >= MAX_REMEMBERED_ENTRIES) outcomes.clear();
        outcomes.set(key, outcome);
        outcome.catch(() => outcomes.delete(key));
      }
    }
    const refusal = await outcome;
    if (refusal !== undefined) throw new InvalidArgumentError(refusal);
  };
}

/** The module a bundle runs when its entry names none, from its index (see mainModuleOf). */
function mainModuleOfIndex(index: BundleIndex): { module: string; source: string } {
  const packageJson = index.packageJson;
  if (packageJson && 'unreadable' in packageJson)
    throw new Error(`the bundle's package.json cannot be read: ${packageJson.unreadable}`);
  return mainModuleOf(packageJson && JSON.stringify({ main: packageJson.main }));
}

/** Whether Node loads the module as an ES module: `.mjs`, or `.js` in a package of type "module". */
function isEsModule(path: string, index: BundleIndex): boolean {
  if (path.endsWith('.mjs')) return true;
  const packageJson = index.packageJson;
  return path.endsWith('.js') && packageJson !== undefined && 'type' in packageJson && packageJson.type === 'module';
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
