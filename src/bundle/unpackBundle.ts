/**
 * Unpacks a bundle into an empty folder, only after {@link checkBundleArchive} passed every entry.
 * node-tar's own guards (no `..`, no absolute paths, no writing through links) stay on as a second
 * line, in strict mode so that anything it would skip fails the unpack instead.
 */
import { extract } from 'tar';
import { InvalidArgumentError } from '../common/errors.js';
import type { BundleLimits } from './BundleEntryChecker.js';
import { checkBundleArchive } from './checkBundleArchive.js';

/** Checks the gzipped tar at `file` and unpacks it into the existing, empty folder `target`. */
export async function unpackBundle(file: string, target: string, limits: BundleLimits): Promise<void> {
  await checkBundleArchive(file, limits);
  try {
    await extract({ file, cwd: target, strict: true, preservePaths: false, preserveOwner: false, unlink: false });
  } catch (error) {
    throw new InvalidArgumentError(
      `the bundle could not be unpacked (${(error as Error).message ?? String(error)}); it was refused`,
    );
  }
}
