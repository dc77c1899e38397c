/**
 * Where an application savepoint is written: the folder the request names, else the application's
 * own `state.savepoints.dir` (given with `-Dstate.savepoints.dir=…` at run time), as Flink takes
 * its default target directory from the configuration. The control plane writes the manifest there
 * and the clusters write the jobs' savepoints, so it must be one folder all of them reach (a shared
 * file system); a relative path could mean a different folder to each, and is refused.
 */
import { isAbsolute, normalize } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.js';
import type { Application } from '../model/Application.js';
import { checkText } from '../model/checks.js';

/** Flink's key of the default savepoint folder. */
export const SAVEPOINTS_DIRECTORY_PROPERTY = 'state.savepoints.dir';

/**
 * The absolute folder to write `application`'s savepoint under: `requested`, else its
 * `state.savepoints.dir`; INVALID_ARGUMENT when neither is given or the folder is relative.
 */
export function savepointDirectoryOf(requested: string, application: Application, field: string): string {
  const given = requested.trim() || application.properties[SAVEPOINTS_DIRECTORY_PROPERTY]?.trim() || '';
  if (given === '') {
    throw new InvalidArgumentError(
      `${field} is empty and application ${application.id} was not run with -D${SAVEPOINTS_DIRECTORY_PROPERTY}=DIR: name the folder to write the savepoint under (flotilla savepoint APP DIR, flotilla stop APP --savepoint DIR)`,
    );
  }
  return absoluteFolder(given, field);
}

/** `path` (a plain path or a `file://` URI) as an absolute, normalized folder; INVALID_ARGUMENT when relative. */
export function absoluteFolder(path: string, field: string): string {
  checkText(path, field, 4096);
  const plain = path.replace(/^file:\/\//, '');
  if (!isAbsolute(plain)) {
    throw new InvalidArgumentError(
      `${field} "${path}" is not an absolute path: name a folder that the control plane and every cluster reach under the same absolute path (a shared file system)`,
    );
  }
  return normalize(plain).replace(/(.)\/$/, '$1');
}
