/**
 * Finds the folder a restore path means: a savepoint or checkpoint folder (it holds `_metadata`),
 * or a job's checkpoint folder `<state.checkpoints.dir>/<jobId>`, meaning its latest complete
 * `chk-<n>` (what `flotilla run -r` passes). Anything else is refused naming the path.
 */
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { FailedPreconditionError } from '../../common/errors.js';
import { MANIFEST_FILE } from './CheckpointManifest.js';

/** The folder holding the `_metadata` that `path` names. @throws FailedPreconditionError naming the path. */
export async function resolveSavepointFolder(path: string): Promise<string> {
  if (!isAbsolute(path))
    throw new FailedPreconditionError(`the savepoint path "${path}" is not absolute; give the folder's absolute path`);
  try {
    if (!(await stat(path)).isDirectory())
      throw new FailedPreconditionError(`the savepoint path ${path} is a file, not a savepoint or checkpoint folder`);
  } catch (error) {
    if (error instanceof FailedPreconditionError) throw error;
    throw new FailedPreconditionError(
      `the savepoint path ${path} cannot be read from the job manager (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check that it exists and that the cluster's user may read it`,
    );
  }
  if (await isFile(join(path, MANIFEST_FILE))) return path;
  let names: string[];
  try {
    names = await readdir(path);
  } catch (error) {
    throw new FailedPreconditionError(
      `the savepoint path ${path} cannot be listed by the job manager (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const checkpoints = names
    .map((name) => /^chk-(\d+)$/.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ name: match[0], id: Number(match[1]) }))
    .sort((a, b) => b.id - a.id);
  for (const checkpoint of checkpoints)
    if (await isFile(join(path, checkpoint.name, MANIFEST_FILE))) return join(path, checkpoint.name);
  throw new FailedPreconditionError(
    `the savepoint path ${path} is not a savepoint or checkpoint folder: it holds no ${MANIFEST_FILE}, nor a completed chk-<n> folder`,
  );
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
