/**
 * Artifact ids are the lowercase hex sha256 of an artifact's bytes. They name files on disk, so
 * every id that arrives from outside is checked here before it is used as a path.
 */
import { InvalidArgumentError } from '../common/errors.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Whether `id` is a lowercase hex sha256 (64 characters). */
export function isArtifactId(id: string): boolean {
  return SHA256_HEX.test(id);
}

/** Throws {@link InvalidArgumentError} naming `what` unless `id` is a lowercase hex sha256. */
export function checkArtifactId(id: string, what = 'artifact id'): void {
  if (!isArtifactId(id))
    throw new InvalidArgumentError(`${what} "${id.slice(0, 80)}" is not a lowercase hex sha256 (64 characters)`);
}
