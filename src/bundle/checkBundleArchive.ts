/**
 * Reads a bundle (a gzipped tar) from end to end without writing anything, feeding each entry's
 * header to a {@link BundleEntryChecker}. Reading stops at the first refused entry; a file that is
 * not a well-formed gzipped tar is refused too.
 */
import { createReadStream } from 'node:fs';
import { Parser } from 'tar';
import { FlotillaError, InvalidArgumentError } from '../common/errors.js';
import { BundleEntryChecker, type BundleLimits } from './BundleEntryChecker.js';

/**
 * Resolves, with the paths of the bundle's regular files, when every entry of the archive at `file`
 * passes; throws {@link InvalidArgumentError} otherwise.
 */
export async function checkBundleArchive(file: string, limits: BundleLimits): Promise<ReadonlySet<string>> {
  const checker = new BundleEntryChecker(limits);
  let failure: unknown;
  const parser = new Parser({
    strict: true,
    onReadEntry(entry) {
      entry.resume();
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
  for await (const chunk of createReadStream(file)) {
    parser.write(chunk as Buffer);
    if (failure !== undefined) break;
  }
  if (failure === undefined) {
    parser.end();
    await ended;
  }
  if (failure === undefined) {
    checker.finish();
    return checker.filePaths;
  }
  if (failure instanceof FlotillaError) throw failure;
  throw new InvalidArgumentError(
    `the bundle is not a well-formed gzipped tar (${(failure as Error).message ?? String(failure)}); it was refused`,
  );
}
