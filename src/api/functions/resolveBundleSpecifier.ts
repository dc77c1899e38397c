/**
 * Resolves an import specifier the way the bundle's module resolved it, from a task executor. A
 * dynamic `import()` resolves relative to the file that contains it, which here is Flotilla, not
 * the user's module; and Node 20 has no stable way to resolve from another parent. So relative
 * specifiers are resolved against the module's folder, bare package names against the
 * `node_modules` folders above it (honouring `exports` with the `import` and `node` conditions, so
 * an ESM import gets the ESM entry as it did on the driver), and `#` names against the nearest
 * package's `imports`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exports as resolveExports, imports as resolveImports } from 'resolve.exports';

/** The parts of a package.json resolution reads. */
interface PackageJson {
  name?: string;
  main?: string;
  exports?: unknown;
  imports?: unknown;
}

/**
 * Returns what to pass to `import()` for `specifier` written in the module at the absolute path
 * `moduleFile`: a `file:` URL, a builtin's name, or, for a bare name no `node_modules` folder above
 * the module has, the name itself, which then resolves from Flotilla's own dependencies (so a
 * bundle may import the Flotilla API without shipping it).
 *
 * @throws Error when a package's `exports` or `imports` does not allow the subpath.
 */
export function resolveBundleSpecifier(specifier: string, moduleFile: string): string {
  if (isBuiltin(specifier)) return specifier;
  if (specifier.startsWith('file:')) return specifier;
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/')) {
    return pathToFileURL(resolve(dirname(moduleFile), specifier)).href;
  }
  if (specifier.startsWith('#')) return resolvePackageImport(specifier, moduleFile);
  const name = packageName(specifier);
  for (let dir = dirname(moduleFile); ; dir = dirname(dir)) {
    const packageDir = join(dir, 'node_modules', name);
    if (existsSync(join(packageDir, 'package.json'))) {
      return pathToFileURL(resolveInPackage(packageDir, `.${specifier.slice(name.length)}`, specifier)).href;
    }
    if (dirname(dir) === dir) return specifier;
  }
}

function resolvePackageImport(specifier: string, moduleFile: string): string {
  for (let dir = dirname(moduleFile); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const target = attempt(() => resolveImports(readPackageJson(file), specifier)?.[0]);
      if (target === undefined) throw new Error(`"${specifier}" is not defined by "imports" in ${file}`);
      return target.startsWith('./')
        ? pathToFileURL(join(dir, target)).href
        : resolveBundleSpecifier(target, moduleFile);
    }
    if (dirname(dir) === dir) throw new Error(`no package.json above ${moduleFile} defines "${specifier}"`);
  }
}

function resolveInPackage(packageDir: string, subpath: string, specifier: string): string {
  const pkg = readPackageJson(join(packageDir, 'package.json'));
  if (pkg.exports !== undefined && pkg.exports !== null) {
    const target = attempt(() => resolveExports(pkg, subpath)?.[0]);
    if (target === undefined) throw new Error(`"${specifier}" is not exported by ${packageDir}`);
    return join(packageDir, target);
  }
  if (subpath !== '.') return join(packageDir, subpath);
  const main = pkg.main ?? 'index.js';
  const candidates = [
    main,
    `${main}.js`,
    `${main}.json`,
    `${main}.node`,
    join(main, 'index.js'),
    join(main, 'index.json'),
    'index.js',
  ];
  for (const candidate of candidates) {
    const file = join(packageDir, candidate);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  throw new Error(`cannot find the entry of ${packageDir} (main: ${main})`);
}

/** Runs a resolve.exports lookup, whose "Missing specifier" error becomes `undefined`. */
function attempt(lookup: () => string | undefined): string | undefined {
  try {
    return lookup();
  } catch {
    return undefined;
  }
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function readPackageJson(file: string): PackageJson {
  return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
}
