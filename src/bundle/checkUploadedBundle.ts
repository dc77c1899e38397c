/**
 * What the control plane checks of an uploaded bundle before it counts as stored: every entry
 * follows the rules a task executor unpacks by (no `..`, absolute paths, links out, devices,
 * setuid files; limits on entries and unpacked bytes, enforced while the archive is read; a
 * well-formed gzipped tar), and the bundle has a `package.json` at its root. A refused upload is
 * INVALID_ARGUMENT naming the problem, and nothing of it is kept; the control plane never unpacks a
 * bundle. What the check read is the bundle's index, which is kept beside it.
 */
import { InvalidArgumentError } from '../common/errors.js';
import type { BundleLimitNames, BundleLimits } from './BundleEntryChecker.js';
import { checkBundleArchive } from './checkBundleArchive.js';
import type { BundleIndex } from './BundleIndex.js';

/** Checks the uploaded file and resolves to its index; throws InvalidArgumentError naming the problem (and a limit by its name in `names`). */
export async function checkUploadedBundle(
  file: string,
  limits: BundleLimits,
  names?: BundleLimitNames,
): Promise<BundleIndex> {
  const index = await checkBundleArchive(file, limits, names);
  if (!index.files.has('package.json')) {
    throw new InvalidArgumentError(
      'the bundle has no package.json at its root; a bundle is a folder with a package.json (flotilla upload packs one), so it was refused',
    );
  }
  return index;
}
