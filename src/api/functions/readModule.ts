/**
 * Reads, parses and indexes the module file a user function comes from. A driver captures many
 * functions from the same `main.js`, and a task executor loads many subtasks' functions from the
 * same bundle, so the result is cached per file and reused while the file's size and modification
 * time stay the same. The scope analysis, which only capture needs, is computed on first use.
 */
import { readFileSync, statSync } from 'node:fs';
import type { ScopeManager } from 'eslint-scope';
import { moduleBindings, type ModuleBindings } from './moduleBindings.js';
import { analyzeScopes, parseModuleOrScript, type ParsedProgram } from './parseProgram.js';

/** A module file, parsed and indexed. */
export interface ModuleInfo {
  /** The absolute path of the file. */
  file: string;
  /** Its text, without a byte order mark. */
  text: string;
  /** The parsed text. */
  parsed: ParsedProgram;
  /** Its top-level imports, exports and declarations. */
  bindings: ModuleBindings;
  /** The scope analysis of the whole module, computed once on first call. */
  scopes(): ScopeManager;
}

interface CacheEntry {
  size: number;
  mtimeMs: number;
  info: ModuleInfo;
}

const MAX_CACHED_MODULES = 64;
const cache = new Map<string, CacheEntry>();

/**
 * Returns the parsed and indexed module at the absolute path `file`.
 *
 * @throws the file system's error when the file cannot be read, acorn's `SyntaxError` when it does
 *   not parse.
 */
export function readModule(file: string): ModuleInfo {
  const stats = statSync(file);
  const cached = cache.get(file);
  if (cached !== undefined && cached.size === stats.size && cached.mtimeMs === stats.mtimeMs) return cached.info;
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const parsed = parseModuleOrScript(text);
  let scopes: ScopeManager | undefined;
  const info: ModuleInfo = {
    file,
    text,
    parsed,
    bindings: moduleBindings(parsed.program),
    scopes: () => (scopes ??= analyzeScopes(parsed)),
  };
  cache.delete(file);
  cache.set(file, { size: stats.size, mtimeMs: stats.mtimeMs, info });
  if (cache.size > MAX_CACHED_MODULES) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  return info;
}

/** Forgets every cached module (for tests, and for task executors that drop a bundle). */
export function clearModuleCache(): void {
  cache.clear();
}
