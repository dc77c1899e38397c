/**
 * The files a text file source reads, in an order every subtask agrees on. Subtasks divide the
 * files' bytes between them without talking to each other, so each must list the same files with
 * the same sizes in the same order.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '../../common/errors.js';

/** One input file and its size in bytes when it was listed. */
export interface InputFile {
  path: string;
  size: number;
}

/**
 * `path` itself when it is a file; when it is a folder, the regular files directly inside it
 * (symbolic links followed) sorted by name, skipping hidden files (names starting with `.`, which
 * include the in-progress files of a text file sink) and subfolders.
 *
 * @throws NotFoundError when `path` does not exist.
 * @throws InvalidArgumentError when `path` is neither a file nor a folder.
 */
export async function listInputFiles(path: string): Promise<InputFile[]> {
  const stats = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new NotFoundError(`text file source: ${path} does not exist`);
    throw error;
  });
  if (stats.isFile()) return [{ path, size: stats.size }];
  if (!stats.isDirectory()) throw new InvalidArgumentError(`text file source: ${path} is neither a file nor a folder`);
  const names = (await readdir(path)).filter((name) => !name.startsWith('.')).sort();
  const files: InputFile[] = [];
  for (const name of names) {
    const file = join(path, name);
    const entry = await stat(file);
    if (entry.isFile()) files.push({ path: file, size: entry.size });
  }
  return files;
}
