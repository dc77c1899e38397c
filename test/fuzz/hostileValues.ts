/**
 * fast-check arbitraries of hostile field values, one per protobuf scalar kind: empty, huge (bounded
 * so a run stays fast), unicode, control characters, path-like strings, ids that do not exist beside
 * ids that do, negative and overflowing numbers over each wire type's whole range (a uint32 of
 * 2^32-1 is what other languages send for -1), non-finite doubles and unknown enum values.
 */
import fc from 'fast-check';

/** About the largest string or bytes value a message carries: big enough to hurt a careless handler, small enough to stay fast. */
export const HUGE_BYTES = 256 * 1024;

const HUGE_TEXT = 'x'.repeat(HUGE_BYTES);
const HUGE_UNICODE = '名前🚀'.repeat(HUGE_BYTES / 16);

/** Strings that have broken servers before: traversal, injection, special names, odd unicode. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '../../etc/passwd',
  '/etc/passwd',
  '..\\..\\windows\\win.ini',
  'file:///etc/passwd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  'bundles/../../../../tmp/escape',
  'http://169.254.169.254/latest/meta-data/',
  'line\nbreak',
  'nul\u0000inside',
  '\u202eevil\u202c',
  '\uFEFFbom',
  '\uD800',
  '🚀',
  'Ǆǅǆ',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  '-1',
  '9007199254740993',
  "'; DROP TABLE applications; --",
  '$(touch /tmp/pwned)',
  '{"$ne":null}',
  '#',
  'a#b#c',
  'main.js#',
  '#0invalid',
  ':0',
  '[::1]:1',
  '127.0.0.1:1',
  '256.256.256.256:99999',
  'unix:/etc/passwd',
  'constructor:1',
  'toString:6123',
  'dns:1',
  '%s%s%s%n',
];

/** Id-shaped strings that name nothing: well-formed, almost well-formed and malformed. */
export const MISSING_IDS = [
  'app-00000000000000000000000000',
  'job-00000000000000000000000000',
  'cluster-does-not-exist',
  'te-missing',
  'alloc-missing',
  '0'.repeat(64),
  'f'.repeat(64),
  'F'.repeat(64),
  'a'.repeat(63),
  'g'.repeat(64),
  // The sha256 of no bytes: an upload that declares it with size 0 is complete without a chunk.
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
];

/** Any string, hostile first; `known` (read at generation time) adds ids that exist on the server. */
export function hostileString(known: () => readonly string[] = () => []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
    { weight: 2, arbitrary: fc.constantFrom(...MISSING_IDS) },
    { weight: 3, arbitrary: knownId(known) },
    { weight: 1, arbitrary: fc.constantFrom(HUGE_TEXT, HUGE_UNICODE) },
  );
}

/** An id: mostly ids that exist or look like they could, sometimes anything hostile. */
export function hostileId(known: () => readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: knownId(known) },
    { weight: 3, arbitrary: fc.constantFrom(...MISSING_IDS) },
    { weight: 3, arbitrary: hostileString() },
  );
}

function knownId(known: () => readonly string[]): fc.Arbitrary<string> {
  return fc.nat().map((index) => {
    const ids = known();
    return ids.length === 0 ? MISSING_IDS[index % MISSING_IDS.length] : ids[index % ids.length];
  });
}

/** Bytes: empty, random, text, a v8-serialized value, huge. */
export function hostileBytes(): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(new Uint8Array()) },
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    { weight: 2, arbitrary: hostileString().map((text) => new Uint8Array(Buffer.from(text, 'utf8'))) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        new Uint8Array([0xff, 0x0d, 0x6f, 0x7b, 0x01]),
        new Uint8Array([0xff, 0x0f, 0x41, 0x03, 0x00]),
      ),
    },
    { weight: 1, arbitrary: fc.constant(new Uint8Array(HUGE_BYTES * 4).fill(0x61)) },
  );
}

const U32_MAX = 2 ** 32 - 1;
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

/** A uint32 over its whole range, edges first (2^32-1 is -1 from a client in another language). */
export function hostileUint32(): fc.Arbitrary<number> {
  return fc.oneof(
    fc.constantFrom(0, 1, 2, 1024, 1025, 65536, I32_MAX, 2 ** 31, U32_MAX - 1, U32_MAX),
    fc.integer({ min: 0, max: U32_MAX }),
  );
}

/** An int32 over its whole range, negative edges included. */
export function hostileInt32(): fc.Arbitrary<number> {
  return fc.oneof(fc.constantFrom(0, 1, -1, 2, I32_MIN, I32_MAX, -1024), fc.integer({ min: I32_MIN, max: I32_MAX }));
}

const U64_MAX = 2n ** 64n - 1n;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A uint64 over its whole range: past 2^53 a JavaScript number loses digits. */
export function hostileUint64(): fc.Arbitrary<bigint> {
  return fc.oneof(
    fc.constantFrom(0n, 1n, SAFE, SAFE + 1n, SAFE + 2n, 2n ** 63n, U64_MAX),
    fc.bigInt({ min: 0n, max: U64_MAX }),
  );
}

/** An int64 over its whole range. */
export function hostileInt64(): fc.Arbitrary<bigint> {
  return fc.oneof(
    fc.constantFrom(0n, 1n, -1n, SAFE, SAFE + 1n, -SAFE, -SAFE - 1n, I64_MIN, I64_MAX),
    fc.bigInt({ min: I64_MIN, max: I64_MAX }),
  );
}

/** A double: non-finite, negative zero, tiny, huge, and anything else. */
export function hostileDouble(): fc.Arbitrary<number> {
  return fc.oneof(
    fc.constantFrom(0, -0, -1, 0.5, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53 + 2),
    fc.double(),
  );
}

/** A float (32-bit): the values a float field can carry. */
export function hostileFloat(): fc.Arbitrary<number> {
  return fc.oneof(fc.constantFrom(0, -1, NaN, Infinity, -Infinity), fc.float());
}

/** An enum value: a known one, UNSPECIFIED, or a number this build does not know. */
export function hostileEnum(known: readonly number[]): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: fc.constantFrom(0, -1, 99, I32_MAX, I32_MIN) },
  );
}
