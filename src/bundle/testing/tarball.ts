/**
 * Builds gzipped tarballs entry by entry from raw headers, for tests of hostile bundles: node-tar's
 * packer refuses to write most of what an attacker would (`../` paths, devices), so the headers
 * are written directly with its Header class.
 */
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

/** One entry to write. */
export interface TarballEntry {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO';
  /** A file's content. */
  content?: string | Buffer;
  /** A link's target. */
  linkpath?: string;
  /** The permission bits; 0o755 for folders and 0o644 for the rest when not given. */
  mode?: number;
}

/** The gzipped tar of `entries`, in order. */
export function tarball(entries: TarballEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? 'File';
    const content = type === 'File' ? Buffer.from(entry.content ?? '') : Buffer.alloc(0);
    const header = Buffer.alloc(512);
    new Header({
      path: entry.path,
      type,
      size: content.length,
      linkpath: entry.linkpath,
      mode: entry.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      uid: 0,
      gid: 0,
      mtime: new Date(0),
      devmaj: type.endsWith('Device') ? 1 : 0,
      devmin: type.endsWith('Device') ? 3 : 0,
    }).encode(header);
    blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
