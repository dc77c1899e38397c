/**
 * Finds a driver's `main(env, args)` in its unpacked bundle: the entry's module (or the bundle's
 * main module: package.json `main`, else `index.js`), imported with Node's own loader so that the
 * user's code runs exactly as it would in the client, and the entry's export (`main` by default).
 * A missing module or export fails with a {@link DriverEntryError} that names what was looked for.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DriverEntryError } from './DriverEntryError.js';
import { parseDriverEntry } from './parseDriverEntry.js';

/** The function a driver runs. */
export type DriverMain = (env: unknown, args: string[]) => unknown;

/** The module a driver runs when neither its entry nor package.json names one. */
export const DEFAULT_DRIVER_MODULE = 'index.js';

/**
 * Imports the entry's module from the bundle at `bundleRoot` and returns its entry function.
 *
 * @throws DriverEntryError when the module is not in the bundle or has no such exported function.
 *   Errors the module's own top-level code throws are passed on unchanged (they are the user's).
 */
export async function loadDriverMain(bundleRoot: string, entry: string): Promise<DriverMain> {
  const parsed = parseDriverEntry(entry);
  const { module, source } =
    parsed.module === undefined
      ? bundleMainModule(bundleRoot)
      : { module: parsed.module, source: `the entry "${entry}"` };
  const file = resolve(bundleRoot, module);
  const inside = relative(bundleRoot, file);
  if (inside.startsWith('..') || isAbsolute(inside)) {
    throw new DriverEntryError(
      `the driver's module "${module}" (from ${source}) lies outside the bundle; name a module inside it`,
    );
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new DriverEntryError(
      `the driver's module "${module}" (from ${source}) is not in the bundle (looked for ${file})`,
    );
  }
  const namespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const main = namespace[parsed.exportName];
  if (typeof main !== 'function') {
    const functions = Object.keys(namespace).filter((name) => typeof namespace[name] === 'function');
    const found = main === undefined ? 'does not export' : `exports a ${typeof main} as`;
    throw new DriverEntryError(
      `the driver's module "${module}" ${found} "${parsed.exportName}"; the entry must name an exported function ` +
        `(module#export; its exported functions: ${functions.length > 0 ? functions.join(', ') : 'none'})`,
    );
  }
  return main as DriverMain;
}

/** The bundle's main module: package.json `main`, else `index.js`, with where that came from. */
function bundleMainModule(bundleRoot: string): { module: string; source: string } {
  const packageFile = join(bundleRoot, 'package.json');
  return mainModuleOf(existsSync(packageFile) ? readFileSync(packageFile, 'utf8') : undefined);
}

/**
 * The module a bundle runs when its entry names none: package.json `main` (given its text, or
 * undefined without one), else `index.js`, with where that came from.
 */
export function mainModuleOf(packageJson: string | undefined): { module: string; source: string } {
  if (packageJson !== undefined) {
    let main: unknown;
    try {
      main = (JSON.parse(packageJson) as { main?: unknown }).main;
    } catch (error) {
      throw new DriverEntryError(`the bundle's package.json cannot be read: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (typeof main === 'string' && main.trim() !== '') return { module: main.trim(), source: 'package.json "main"' };
  }
  return { module: DEFAULT_DRIVER_MODULE, source: 'the default, as package.json names no "main"' };
}
