/**
 * Finds the `flotilla` command of this package (`bin/flotilla.js`), so that a cluster runs the
 * same build as the control plane that deploys it, whether this module runs compiled from `dist/`
 * or from source under a test runner.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The path of `bin/flotilla.js` in the package this module belongs to. */
export function findFlotillaBin(from: string = fileURLToPath(import.meta.url)): string {
  let folder = dirname(from);
  for (;;) {
    const candidate = join(folder, 'bin', 'flotilla.js');
    if (existsSync(candidate) && existsSync(join(folder, 'package.json'))) return candidate;
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`cannot find bin/flotilla.js in any folder above ${from}`);
    folder = parent;
  }
}
