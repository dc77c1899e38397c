/**
 * Turns a bundle folder into a `.tgz` whose bytes depend only on the folder's content: entries in
 * sorted order, no timestamps or owners. So the same folder always has the same sha256 and an
 * upload of an unchanged bundle is skipped. A `.tgz` given as is is used unchanged.
 */
import { lstatSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, sep } from 'node:path';
import { create as createTar } from 'tar';
import { InvalidArgumentError } from '../common/errors.js';

/** A bundle ready to upload. */
export interface PackedBundle {
  /** The path of the `.tgz`. */
  file: string;
  /** The name to show, such as "wordcount.tgz". */
  fileName: string;
  /** Removes the temporary file, if one was made. */
  cleanup(): void;
}

/** Folders never packed: version control data has no place on a cluster. */
const SKIPPED = new Set(['.git', '.hg', '.svn']);

/** Packs `path` (a folder with a package.json, or a `.tgz`/`.tar.gz` file). */
export async function packBundle(path: string): Promise<PackedBundle> {
  const stats = statOrExplain(path);
  if (stats.isFile()) {
    if (!/\.(tgz|tar\.gz)$/.test(path)) {
      throw new InvalidArgumentError(
        `${path} is a file but not a .tgz; a bundle is a folder with a package.json, or a .tgz of one`,
      );
    }
    return { file: path, fileName: basename(path), cleanup: () => undefined };
  }
  if (!stats.isDirectory()) throw new InvalidArgumentError(`${path} is neither a folder nor a .tgz file`);
  if (!lstatSync(join(path, 'package.json'), { throwIfNoEntry: false })?.isFile()) {
    throw new InvalidArgumentError(
      `${path} has no package.json; a bundle is a folder with a package.json (and its node_modules, if it has dependencies)`,
    );
  }
  const entries = listEntries(path);
  const folder = mkdtempSync(join(tmpdir(), 'flotilla-bundle-'));
  const fileName = `${basename(path.replace(/[\\/]+$/, '')) || 'bundle'}.tgz`;
  const file = join(folder, fileName);
  await createTar({ file, cwd: path, gzip: { level: 6 }, portable: true, noMtime: true, noDirRecurse: true }, entries);
  return { file, fileName, cleanup: () => rmSync(folder, { recursive: true, force: true }) };
}

function statOrExplain(path: string) {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) throw new InvalidArgumentError(`${path} does not exist`);
  return stats;
}

/** Every file, symlink and folder below `root`, relative, in a stable order. */
function listEntries(root: string): string[] {
  const result: string[] = [];
  const walk = (folder: string) => {
    const names = readdirSync(folder).sort();
    for (const name of names) {
      if (SKIPPED.has(name)) continue;
      const full = join(folder, name);
      const entry = relative(root, full).split(sep).join('/');
      result.push(entry);
      const stats = lstatSync(full);
      if (stats.isDirectory()) walk(full);
    }
  };
  walk(root);
  return result;
}
