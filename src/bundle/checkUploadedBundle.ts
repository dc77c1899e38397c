/**
 * What the control plane checks of an uploaded bundle before it counts as stored: every entry
 * follows the rules a task executor unpacks by (no `..`, absolute paths, links out, devices,
 * setuid files; limits on entries and unpacked bytes; a well-formed gzipped tar), and the bundle has
 * a `package.json` at its root. A refused upload is INVALID_ARGUMENT naming the problem, and
 * nothing of it is kept; the control plane never unpacks a bundle.
 */
import { InvalidArgumentError } from '../common/errors.js';
import type { BundleLimits } from './BundleEntryChecker.js';
import { checkBundleArchive } from './checkBundleArchive.js';

/** Checks the uploaded file; throws InvalidArgumentError naming the problem. */
export async function checkUploadedBundle(file: string, limits: BundleLimits): Promise<void> {
  const files = await checkBundleArchive(file, limits);
  if (!files.has('package.json')) {
    throw new InvalidArgumentError(
      'the bundle has no package.json at its root; a bundle is a folder with a package.json (flotilla upload packs one), so it was refused',
    );
  }
}
