/**
 * Reads a bundle (a gzipped tar) from end to end without writing anything, feeding each entry's
 * header to a {@link BundleEntryChecker}, and indexes it on the way (its files and sizes, its root
 * package.json's fields). Reading stops at the first refused entry, so a small upload that would
 * unpack to more than the limit costs no more than reading up to it: a header whose size takes the
 * total past the limit is refused before its content is read, and the unpacked tar stream itself
 * (headers, padding, metadata entries and anything after the last entry, which no header accounts
 * for) may not pass the limit by more than 1 KiB per entry. A file that is not a well-formed gzipped
 * tar is refused too.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { FlotillaError, InvalidArgumentError } from '../common/errors.js';
import {
  BUNDLE_LIMIT_NAMES,
  BundleEntryChecker,
  type BundleLimitNames,
  type BundleLimits,
} from './BundleEntryChecker.js';
import { bundleIndex, type BundleIndex } from './BundleIndex.js';

/** The most of the root package.json read for the index; a larger one is recorded as unreadable. */
const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;
/** The size of the chunks the archive is inflated in. */
const INFLATED_CHUNK_BYTES = 1024 * 1024;
/** What the unpacked tar stream may hold beyond the declared sizes, per entry: its header and padding. */
const TAR_BYTES_PER_ENTRY = 1024;
/** And once: the end-of-archive blocks and metadata entries (long names, pax headers) up to their usual size. */
const TAR_BYTES_ONCE = 1024 * 1024;

/**
 * Resolves, with the bundle's index, when every entry of the archive at `file` passes; throws
 * {@link InvalidArgumentError} otherwise, naming a limit passed by its name in `names`.
 */
export async function checkBundleArchive(
  file: string,
  limits: BundleLimits,
  names: BundleLimitNames = BUNDLE_LIMIT_NAMES,
): Promise<BundleIndex> {
  const checker = new BundleEntryChecker(limits, names);
  let failure: unknown;
  let entries = 0;
  let packageJson: { chunks: Buffer[]; bytes: number } | undefined;
  const parser = new Parser({
    strict: true,
    onReadEntry(entry) {
      entries++;
      if (failure === undefined && isRootPackageJson(entry)) packageJson = collect(entry);
      else entry.resume();
      if (failure !== undefined) return;
      try {
        checker.add({
          path: entry.path,
          type: entry.type,
          linkpath: entry.linkpath,
          size: entry.size,
          mode: entry.mode,
        });
      } catch (error) {
        failure = error;
      }
    },
  });
  const ended = new Promise<void>((resolve) => {
    parser.on('end', () => resolve());
    parser.on('error', (error: unknown) => {
      failure ??= error;
      resolve();
    });
  });
  let unpacked = 0;
  try {
    // Inflated in chunks of 1 MiB, not zlib's 16 KiB: per chunk, not per byte, is what reading 2 GB of zeros costs most.
    const inflated = pipeline(
      createReadStream(file),
      createGunzip({ chunkSize: INFLATED_CHUNK_BYTES }),
      () => undefined,
    );
    for await (const chunk of inflated) {
      unpacked += (chunk as Buffer).length;
      const bound = limits.maxUnpackedBytes + TAR_BYTES_PER_ENTRY * entries + TAR_BYTES_ONCE;
      if (unpacked > bound) {
        failure ??= new InvalidArgumentError(
          `the bundle unpacks to more than ${bound} bytes of tar, more than its entries may hold (${limits.maxUnpackedBytes} bytes, ${names.maxUnpackedBytes}, and ${TAR_BYTES_PER_ENTRY} bytes of header per entry); the bundle was refused and nothing of it was unpacked`,
        );
      }
      if (failure === undefined) parser.write(chunk as Buffer);
      if (failure !== undefined) break;
    }
  } catch (error) {
    failure ??= error;
  }
  if (failure === undefined) {
    parser.end();
    await ended;
  }
  if (failure === undefined) {
    checker.finish();
    return indexOf(checker.fileSizes, packageJson);
  }
  if (failure instanceof FlotillaError) throw failure;
  throw new InvalidArgumentError(
    `the bundle is not a well-formed gzipped tar (${(failure as Error).message ?? String(failure)}); it was refused`,
  );
}

function isRootPackageJson(entry: ReadEntry): boolean {
  return entry.type === 'File' && entry.path.replace(/^(\.\/)+/, '') === 'package.json';
}

/** Keeps the first {@link MAX_PACKAGE_JSON_BYTES} of an entry's content, and counts the rest. */
function collect(entry: ReadEntry): { chunks: Buffer[]; bytes: number } {
  const read = { chunks: [] as Buffer[], bytes: 0 };
  entry.on('data', (chunk: Buffer) => {
    if (read.bytes < MAX_PACKAGE_JSON_BYTES) read.chunks.push(chunk.subarray(0, MAX_PACKAGE_JSON_BYTES - read.bytes));
    read.bytes += chunk.length;
  });
  return read;
}

function indexOf(
  files: ReadonlyMap<string, number>,
  packageJson: { chunks: Buffer[]; bytes: number } | undefined,
): BundleIndex {
  if (packageJson && packageJson.bytes > MAX_PACKAGE_JSON_BYTES)
    return { files, packageJson: { unreadable: `it is larger than ${MAX_PACKAGE_JSON_BYTES} bytes` } };
  return bundleIndex(files, packageJson && Buffer.concat(packageJson.chunks).toString('utf8'));
}
