/**
 * Where a key goes on a hash edge (Flink's `KeyGroupStreamPartitioner`, without key groups). Every
 * producer subtask, in any process, must send a key to the same consumer, or the key's state would
 * be split; so the channel depends only on the key's canonical string and a fixed hash.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import { canonicalKey } from './canonicalKey.js';
import { stableHash32 } from './stableHash32.js';

/**
 * The channel (consumer subtask index) in `[0, numberOfChannels)` for `key`:
 * `stableHash32(canonicalKey(key)) % numberOfChannels`.
 *
 * @throws InvalidArgumentError when `numberOfChannels` is not a positive integer, or the key is
 *   not data (see {@link canonicalKey}).
 */
export function selectChannel(key: unknown, numberOfChannels: number): number {
  if (!Number.isSafeInteger(numberOfChannels) || numberOfChannels < 1) {
    throw new InvalidArgumentError(`the number of channels must be a positive integer, got ${numberOfChannels}`);
  }
  return stableHash32(canonicalKey(key)) % numberOfChannels;
}
