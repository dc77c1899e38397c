/**
 * Bundles named by a uri rather than an artifact id: an already unpacked local folder, under a root
 * the operator allowed ({@link BundleUriRoots}) or anywhere in an in-process mini cluster. Nothing
 * is copied; the folder is used where it is.
 */
import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, NotFoundError } from '../common/errors.js';
import type { BundleUriRoots } from './BundleUriRoots.js';

const SUPPORTED = 'file:///absolute/folder or an absolute folder path (or reference the bundle by artifact id)';

/**
 * The folder a bundle uri names, after checking that `roots` allow it and that it exists:
 * `file:///abs/folder` or `/abs/folder`. Other schemes and relative paths are INVALID_ARGUMENT, a
 * folder outside the roots FAILED_PRECONDITION, a missing folder NOT_FOUND.
 */
export function localBundleFolder(uri: string, roots: BundleUriRoots): string {
  const folder = checkBundleUri(uri, roots);
  const stats = statSync(folder, { throwIfNoEntry: false });
  if (!stats) throw new NotFoundError(`bundle folder ${folder} does not exist on this task executor`);
  if (!stats.isDirectory())
    throw new InvalidArgumentError(`bundle ${folder} is not a folder; a bundle uri names an unpacked bundle folder`);
  return folder;
}

/**
 * The folder a bundle uri names, once `roots` allow it; whether it exists is not asked (a job
 * manager checks a job's uri before its task executors look for the folder).
 */
export function checkBundleUri(uri: string, roots: BundleUriRoots): string {
  const folder = toPath(uri);
  roots.check(folder, uri);
  return folder;
}

function toPath(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      throw new InvalidArgumentError(
        `bundle uri "${uri}" is not a file URL of an absolute local path; supported: ${SUPPORTED}`,
      );
    }
  }
  if (isAbsolute(uri)) return uri;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1];
  if (scheme)
    throw new InvalidArgumentError(`bundle uri scheme "${scheme}:" is not supported; supported: ${SUPPORTED}`);
  throw new InvalidArgumentError(`bundle uri "${uri}" is a relative path; supported: ${SUPPORTED}`);
}
