// Where things are: the repository root, the compiled CLI, the compiled modules the benchmarks
// import (dist/, built by `npm run build`), and the benchmark bundle.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The CLI entry, as users run it. */
export const FLOTILLA_BIN = `${ROOT}bin/flotilla.js`;
/** The bundle the benchmarks run (a driver main and the pipelines). */
export const BENCH_BUNDLE = fileURLToPath(new URL('../bundle', import.meta.url));

/** Imports a compiled module of the repository, such as `dist/src/api/index.js`; says what to do when the build is missing. */
export async function importDist(relativePath) {
  const path = `${ROOT}${relativePath}`;
  if (!existsSync(path))
    throw new Error(`${relativePath} is missing: run "npm run build" first (npm run bench does it)`);
  return import(path);
}
