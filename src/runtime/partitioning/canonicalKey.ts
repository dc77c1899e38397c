/**
 * Keys as strings that are equal exactly when the keys are equal as data. Keyed state is held in
 * `Map`s indexed by this string, and hash partitioning hashes it, so two processes that see the
 * same key (decoded from different bytes, with object properties in a different order) agree on
 * its state and its channel.
 */
import { InvalidArgumentError } from '../../common/errors.js';

/**
 * The canonical string of a key. For JSON data it is `JSON.stringify` with object properties
 * sorted by name; beyond JSON it keeps apart what JSON would merge: `NaN`, `Infinity` and
 * `-Infinity` stay themselves (not `null`), `undefined` is `undefined`, bigints end in `n`.
 * Objects with `toJSON` (such as `Date`) are keyed by its result; other objects by their own
 * enumerable properties, so a `Map` or a class instance is keyed like a plain object.
 *
 * @throws InvalidArgumentError for functions and symbols, which are not data.
 */
export function canonicalKey(key: unknown): string {
  switch (typeof key) {
    case 'string':
      return JSON.stringify(key);
    case 'number':
    case 'boolean':
      // String() agrees with JSON for finite numbers (and maps -0 to "0", as === does).
      return String(key);
    case 'bigint':
      return `${key}n`;
    case 'undefined':
      return 'undefined';
    case 'object':
      return key === null ? 'null' : canonicalObject(key);
    default:
      throw new InvalidArgumentError(`a key must be data (a string, number, array or object), got a ${typeof key}`);
  }
}

function canonicalObject(value: object): string {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return canonicalKey(toJSON.call(value));
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i === 0 ? '' : ',') + canonicalKey(value[i]);
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  let text = '{';
  let first = true;
  for (const name of Object.keys(record).sort()) {
    const property = record[name];
    // As in JSON, a property that is undefined is the same as one that is missing.
    if (property === undefined) continue;
    text += `${first ? '' : ','}${JSON.stringify(name)}:${canonicalKey(property)}`;
    first = false;
  }
  return `${text}}`;
}
