/**
 * Reads a few named files of a bundle (a gzipped tar) into memory without unpacking anything: what
 * the control plane needs to look at a bundle's package.json and entry module. Each file is read up
 * to a byte limit; a longer one is cut there (and said so). Reading stops once every file asked for
 * was read.
 */
import { createReadStream } from 'node:fs';
import { Parser } from 'tar';
import { InvalidArgumentError } from '../common/errors.js';

/** A file read from the archive. */
export interface ArchiveFile {
  content: Buffer;
  /** True when the file was longer than the limit and `content` is its start only. */
  truncated: boolean;
}

/** The contents of those of `paths` (normalized, `a/b.js`) that are regular files of the archive at `file`. */
export async function readArchiveFiles(
  file: string,
  paths: readonly string[],
  maxBytesEach = 1024 * 1024,
): Promise<Map<string, ArchiveFile>> {
  const wanted = new Set(paths);
  const found = new Map<string, ArchiveFile>();
  let failure: unknown;
  const parser = new Parser({
    strict: true,
    onReadEntry(entry) {
      const path = entry.path.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
      if (entry.type !== 'File' || !wanted.has(path)) {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      entry.on('data', (chunk: Buffer) => {
        if (bytes < maxBytesEach) chunks.push(chunk.subarray(0, maxBytesEach - bytes));
        bytes += chunk.length;
      });
      entry.on('end', () => {
        found.set(path, { content: Buffer.concat(chunks), truncated: bytes > maxBytesEach });
        wanted.delete(path);
      });
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
    // Every file asked for was read: the rest of the archive is not.
    if (wanted.size === 0 || failure !== undefined) break;
  }
  if (wanted.size > 0 && failure === undefined) {
    parser.end();
    await ended;
  }
  if (failure !== undefined)
    throw new InvalidArgumentError(
      `the bundle is not a well-formed gzipped tar (${(failure as Error).message ?? String(failure)})`,
    );
  return found;
}
