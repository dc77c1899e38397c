/**
 * Rebuilds a shipped user function on a task executor. The function's free names are found again
 * in its source; those its module imports are imported again from the bundle (the same specifiers,
 * resolved from the module's place in the bundle), those its module exports are read from the
 * module's namespace, and those passed explicitly come from the spec's JSON. Then the source is
 * evaluated with exactly those names in scope. Importing the module for its exports runs the
 * module's top-level code on the worker, once per process; it is only done when the function uses
 * an exported name. Rebuilt functions are cached per module and source, so the many subtasks of a
 * job share one import and one compilation.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { UserFunctionSpec } from '../../jobgraph/jobGraph.js';
import { freeVariables } from './freeVariables.js';
import type { ImportBinding } from './moduleBindings.js';
import { analyzeScopes } from './parseProgram.js';
import { parseFunctionSource } from './parseFunctionSource.js';
import { readModule } from './readModule.js';
import { resolveBundleSpecifier } from './resolveBundleSpecifier.js';
import { UserFunctionLoadError } from './UserFunctionLoadError.js';

/** Options of {@link loadUserFunction}. */
export interface LoadOptions {
  /** The folder the bundle is unpacked in; a relative `spec.module` is resolved inside it. */
  bundleRoot: string;
}

/** A rebuilt function before its bound values are applied. */
type Factory = (bound: Record<string, unknown>) => unknown;

const MAX_CACHED_FUNCTIONS = 512;
const cache = new Map<string, Promise<Factory>>();

/**
 * Rebuilds the function `spec` describes, with its imports, exports and bound values in scope.
 *
 * @throws UserFunctionLoadError naming the module and line when the module is missing, an import
 *   fails, a name is not exported, or the source does not compile.
 */
export async function loadUserFunction<F extends (...args: never[]) => unknown = (...args: unknown[]) => unknown>(
  spec: UserFunctionSpec,
  options: LoadOptions,
): Promise<F> {
  try {
    const moduleFile = moduleFileOf(spec.module, options.bundleRoot);
    const bound = parseBound(spec.boundValuesJson);
    const boundNames = Object.keys(bound).sort();
    const key = [moduleFile, spec.source, spec.line, boundNames.join(',')].join('\0');
    let factory = cache.get(key);
    if (factory === undefined) {
      factory = buildFactory(moduleFile, spec, new Set(boundNames));
      remember(key, factory);
    }
    return (await factory)(bound) as F;
  } catch (error) {
    throw new UserFunctionLoadError(
      `cannot load the function at ${spec.module}:${spec.line} on this task executor: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Forgets every rebuilt function (for tests, and for task executors that drop a bundle). */
export function clearUserFunctionCache(): void {
  cache.clear();
}

async function buildFactory(
  moduleFile: string,
  spec: UserFunctionSpec,
  boundNames: ReadonlySet<string>,
): Promise<Factory> {
  const info = readModule(moduleFile);
  const parsed = parseFunctionSource(spec.source, `the function at ${spec.module}:${spec.line}`);
  const names = freeVariables(analyzeScopes(parsed.parsed), parsed.node).map((variable) => variable.name);
  const fixedNames: string[] = [];
  const fixedValues: unknown[] = [];
  let namespace: Promise<Record<string, unknown>> | undefined;
  for (const name of names) {
    if (boundNames.has(name)) continue;
    const imported = info.bindings.imports.get(name);
    const exported = info.bindings.exports.get(name);
    if (imported !== undefined) {
      fixedNames.push(name);
      fixedValues.push(await importBinding(imported, name, moduleFile));
    } else if (exported !== undefined) {
      namespace ??= import(pathToFileURL(moduleFile).href) as Promise<Record<string, unknown>>;
      fixedNames.push(name);
      fixedValues.push((await namespace)[exported]);
    }
  }
  const boundList = [...boundNames];
  const strict = info.parsed.sourceType === 'module' ? '"use strict";' : '';
  // new Function puts the body's first line on line 3; padding puts the function on its own line,
  // and sourceURL names the module, so stack traces on the worker point into the user's file.
  const padding = '\n'.repeat(Math.max(0, spec.line - 3));
  const body = `${strict}${padding}return (${parsed.expression}\n);\n//# sourceURL=${pathToFileURL(moduleFile).href}`;
  const compiled = new Function(...fixedNames, ...boundList, body) as (...values: unknown[]) => unknown;
  return (bound) => compiled(...fixedValues, ...boundList.map((name) => bound[name]));
}

async function importBinding(binding: ImportBinding, name: string, moduleFile: string): Promise<unknown> {
  const target = resolveBundleSpecifier(binding.specifier, moduleFile);
  const hasAttributes = Object.keys(binding.attributes).length > 0;
  const namespace = (await (hasAttributes ? import(target, { with: binding.attributes }) : import(target))) as Record<
    string,
    unknown
  >;
  if (binding.imported === '*') return namespace;
  if (!(binding.imported in namespace)) {
    throw new Error(
      `"${binding.specifier}" (imported for "${name}" on line ${binding.line}) has no export "${binding.imported}"`,
    );
  }
  return namespace[binding.imported];
}

function moduleFileOf(module: string, bundleRoot: string): string {
  if (isAbsolute(module)) return module;
  const file = resolve(bundleRoot, module);
  const inside = relative(bundleRoot, file);
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside))
    throw new Error(`module ${module} lies outside the bundle ${bundleRoot}`);
  return file;
}

function parseBound(json: string): Record<string, unknown> {
  const value: unknown = JSON.parse(json === '' ? '{}' : json);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('its bound values are not a JSON object');
  return value as Record<string, unknown>;
}

function remember(key: string, factory: Promise<Factory>): void {
  cache.set(key, factory);
  // A failed load is not kept, so a later subtask tries again (the bundle may have been missing).
  factory.catch(() => {
    if (cache.get(key) === factory) cache.delete(key);
  });
  if (cache.size > MAX_CACHED_FUNCTIONS) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
}
