/** sha256 digests as artifact ids: lowercase hex. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The lowercase hex sha256 of `bytes`. */
export function sha256OfBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The lowercase hex sha256 of a file's bytes, read as a stream. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
