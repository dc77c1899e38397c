/**
 * The one place where received bytes are checked against what they claim to be: written to a new
 * private file while they are hashed and counted, and refused (the file removed) unless the count
 * and the sha256 match. The control plane's and the job manager's stores use it for uploads, the
 * task executor's bundle cache for downloads; callers rename the file into place afterwards.
 */
import { createHash } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import { InvalidArgumentError } from '../common/errors.js';

/** What the bytes must be. */
export interface ExpectedContent {
  /** The lowercase hex sha256 the bytes must have. */
  sha256: string;
  /** The exact byte count, when it was declared. */
  sizeBytes?: number;
  /** The most bytes accepted when no exact count was declared. */
  maxBytes?: number;
}

/** Options of {@link writeVerifiedFile}. */
export interface WriteVerifiedOptions {
  /** Flush the file to disk before resolving (for files that must survive a crash). */
  sync?: boolean;
  /** Turns a problem ("the bytes have sha256 …") into the message thrown; the default keeps it. */
  explain?: (problem: string) => string;
}

/**
 * Writes `chunks` to `path`, which must not exist yet, and resolves to the byte count once the
 * bytes match `expected`. Otherwise throws {@link InvalidArgumentError} and leaves no file; when
 * `chunks` throws, that error passes through and no file is left either.
 */
export async function writeVerifiedFile(
  path: string,
  chunks: AsyncIterable<Uint8Array>,
  expected: ExpectedContent,
  options: WriteVerifiedOptions = {},
): Promise<number> {
  const explain = options.explain ?? ((problem: string) => problem);
  const limit = expected.sizeBytes ?? expected.maxBytes ?? Number.POSITIVE_INFINITY;
  const file = await open(path, 'wx', 0o600);
  let complete = false;
  try {
    const hash = createHash('sha256');
    let received = 0;
    for await (const chunk of chunks) {
      received += chunk.byteLength;
      if (received > limit) {
        const what = expected.sizeBytes !== undefined ? 'the declared' : 'the limit of';
        throw new InvalidArgumentError(explain(`received more than ${what} ${limit} bytes`));
      }
      hash.update(chunk);
      await file.write(chunk);
    }
    if (expected.sizeBytes !== undefined && received !== expected.sizeBytes) {
      throw new InvalidArgumentError(explain(`received ${received} bytes but ${expected.sizeBytes} were declared`));
    }
    const actual = hash.digest('hex');
    if (actual !== expected.sha256) {
      throw new InvalidArgumentError(explain(`the bytes have sha256 ${actual}, not the declared ${expected.sha256}`));
    }
    if (options.sync) await file.sync();
    complete = true;
    return received;
  } finally {
    await file.close().catch(() => undefined);
    if (!complete) await unlink(path).catch(() => undefined);
  }
}
