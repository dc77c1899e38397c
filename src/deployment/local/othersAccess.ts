/**
 * Whether a user that is neither a file's owner nor in its group (a cluster's own uid and gid) can
 * reach it, by the "others" bits of the file and of every folder above it. A control plane running
 * as root checks at start that its clusters' users can run what they need (the Node binary, this
 * package's `bin/`, `dist/` and `node_modules/`) and reach the clusters' folder, so that a setting
 * which cannot work fails there, saying what to change, instead of every deployment failing later.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What the others must be able to do with the path itself. */
export type OthersNeed = 'read' | 'execute' | 'list' | 'enter';

const NEEDED_BITS: Record<OthersNeed, number> = { read: 0o004, execute: 0o005, list: 0o005, enter: 0o001 };

/**
 * Why others cannot `need` the path (following links), naming the folder or file in the way and
 * its mode; undefined when they can. A path that does not exist yet is judged by the folders above it.
 */
export function othersCannot(path: string, need: OthersNeed): string | undefined {
  let existing = path;
  while (!existsSync(existing)) existing = dirname(existing);
  const real = realpathSync(existing);
  const chain: string[] = [];
  for (let folder = dirname(real); ; folder = dirname(folder)) {
    chain.unshift(folder);
    if (dirname(folder) === folder) break;
  }
  for (const folder of chain) {
    const mode = statSync(folder).mode;
    if ((mode & 0o001) === 0) return `${folder} is mode ${octal(mode)}, which others cannot enter`;
  }
  if (existing !== path) {
    const mode = statSync(real).mode;
    return (mode & 0o001) === 0 ? `${real} is mode ${octal(mode)}, which others cannot enter` : undefined;
  }
  const mode = statSync(real).mode;
  const bits = NEEDED_BITS[need];
  if ((mode & bits) !== bits) return `${real} is mode ${octal(mode)}, which others cannot ${need}`;
  return undefined;
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

/**
 * What keeps clusters running as users of their own (`description`, for the message) from running
 * the Node binary, reading this package (`bin` and its package's dist/ and node_modules/) or
 * entering the clusters' root, saying what to change; undefined when nothing does.
 */
export function whatClusterUsersCannotReach(options: {
  bin: string;
  clustersDir: string;
  description: string;
}): string | undefined {
  const packageRoot = dirname(dirname(options.bin));
  const needs: [string, OthersNeed][] = [
    [process.execPath, 'execute'],
    [options.bin, 'read'],
    [join(packageRoot, 'dist'), 'list'],
    [join(packageRoot, 'node_modules'), 'list'],
    // Its own mode is the local target's (0711); the folders above it must let others through.
    [options.clustersDir, 'enter'],
  ];
  for (const [path, need] of needs) {
    const problem = othersCannot(path, need);
    if (problem)
      return `clusters run as users of their own (${options.description}), which cannot reach ${path}: ${problem}. Let others through (chmod o+x on the folders in the way, o+r on files), choose a --cluster-dir others can reach, or run clusters as the control plane's user with --cluster-user same`;
  }
  return undefined;
}
