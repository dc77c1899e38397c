/**
 * Per-key state of a keyed operator: a map from keys, equal when they are equal as data (see
 * {@link canonicalKey}), to one entry each. String keys, by far the most common, are looked up by
 * the string itself, which allocates nothing per record; other keys by their canonical string. A
 * string's canonical form is its JSON, which no other kind of key produces, so keeping strings in
 * a map of their own changes no key's identity, only the cost of finding it.
 */
import { canonicalKey } from '../../runtime/partitioning/canonicalKey.js';

/** Entries of type `E` by key, in the order their keys first arrived. */
export class KeyedState<E> {
  private readonly strings = new Map<string, E>();
  private readonly others = new Map<string, E>();

  /** The entry of `key`, if it has one. @throws InvalidArgumentError when the key is not data. */
  get(key: unknown): E | undefined {
    return typeof key === 'string' ? this.strings.get(key) : this.others.get(canonicalKey(key));
  }

  /** Sets the entry of `key`. @throws InvalidArgumentError when the key is not data. */
  set(key: unknown, entry: E): void {
    if (typeof key === 'string') this.strings.set(key, entry);
    else this.others.set(canonicalKey(key), entry);
  }

  /** How many keys have an entry. */
  get size(): number {
    return this.strings.size + this.others.size;
  }

  /** Every entry: those of string keys first, each group in the order its keys first arrived. */
  *values(): IterableIterator<E> {
    yield* this.strings.values();
    yield* this.others.values();
  }

  /** Forgets every key. */
  clear(): void {
    this.strings.clear();
    this.others.clear();
  }
}
