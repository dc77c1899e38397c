/**
 * Where a bundle named by a uri (an unpacked folder on this machine, rather than an uploaded
 * artifact) may come from. A bundle runs as the process's user, so a folder is accepted only under
 * a root the operator named (`--bundle-uri-root DIR` of a job manager or task executor), or
 * anywhere in an in-process mini cluster, whose code is the code of the process that started it.
 * Anything else is FAILED_PRECONDITION naming the option: the refusal is a property of how the
 * process was started, the same for every caller.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { FailedPreconditionError } from '../common/errors.js';

/** The roots bundle uris may name folders under, and which process holds them (for messages). */
export class BundleUriRoots {
  private readonly roots: readonly string[];

  /**
   * `roots` are folders (their real paths are compared, so a link inside a root that leads out of it
   * does not count as inside); `holder` names the process in messages, such as "job manager".
   */
  constructor(
    roots: readonly string[],
    private readonly holder: string,
  ) {
    this.roots = roots.map(realOrResolved);
  }

  /** No uri bundles at all: what a job manager or task executor allows unless told otherwise. */
  static none(holder: string): BundleUriRoots {
    return new BundleUriRoots([], holder);
  }

  /** Every folder of the machine: for in-process mini clusters, which run their own process's code. */
  static anywhere(holder: string): BundleUriRoots {
    return new BundleUriRoots(['/'], holder);
  }

  /**
   * Checks that `folder` (absolute) lies under one of the roots.
   *
   * @throws FailedPreconditionError naming the folder, the roots and `--bundle-uri-root`.
   */
  check(folder: string, uri: string): void {
    const real = realOrResolved(folder);
    if (this.roots.some((root) => isInside(root, real))) return;
    const allowed = this.roots.length === 0 ? 'it has none' : `it allows ${this.roots.join(', ')}`;
    throw new FailedPreconditionError(
      `bundle uri "${uri}" names ${real}, which is not under a --bundle-uri-root of this ${this.holder} (${allowed}); start the ${this.holder} with --bundle-uri-root DIR to allow bundle folders under DIR, or upload the bundle (UploadArtifact) and name its artifact id`,
    );
  }
}

/** The real path of `path` when it exists (links resolved), else its absolute form. */
function realOrResolved(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return resolve(path);
  }
}

function isInside(root: string, path: string): boolean {
  const rest = relative(root, path);
  return rest === '' || (rest !== '..' && !rest.startsWith(`..${sep}`) && !isAbsolute(rest));
}
