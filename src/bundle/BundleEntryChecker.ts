/**
 * The rules every entry of a bundle must follow, checked over the whole archive before a single
 * byte is unpacked, so a hostile bundle is refused with a message naming the entry and nothing is
 * ever written outside the bundle folder.
 *
 * Paths are relative, without `..`, and never go through a link or a file named earlier; only
 * files, folders and links may appear, and no file is setuid or setgid. A symbolic link must resolve inside the bundle when read
 * as text from its own folder, and may not climb (`..`) after passing through another symbolic
 * link, where the text and the file system disagree (`s -> .` then `t -> s/..` leaves the
 * bundle). A hard link must name a regular file that came earlier. Counts and sizes are limited.
 */
import { InvalidArgumentError } from '../common/errors.js';

/** An entry of a tar archive, as its header describes it. */
export interface BundleEntry {
  /** The path inside the archive. */
  path: string;
  /** The node-tar type name: "File", "Directory", "SymbolicLink", "Link", "CharacterDevice", … */
  type: string;
  /** The target of a link. */
  linkpath?: string;
  /** The byte count of a file's content. */
  size: number;
  /** The permission bits, when the header has them. */
  mode?: number;
}

/** The limits a bundle must stay within. */
export interface BundleLimits {
  /** The most entries (files, folders, links) a bundle may have. */
  maxEntries: number;
  /** The most bytes its entries may declare (their tar headers' sizes, together). */
  maxUnpackedBytes: number;
}

/** The settings that set {@link BundleLimits}, as refusals name them (the control plane's flags, say). */
export type BundleLimitNames = Record<keyof BundleLimits, string>;

/** The names refusals give the limits when the caller gives none. */
export const BUNDLE_LIMIT_NAMES: BundleLimitNames = { maxEntries: 'maxEntries', maxUnpackedBytes: 'maxUnpackedBytes' };

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const TYPE_NAMES: Record<string, string> = {
  CharacterDevice: 'a character device',
  BlockDevice: 'a block device',
  FIFO: 'a named pipe (FIFO)',
};

/** Checks a bundle's entries in archive order; every method throws {@link InvalidArgumentError}. */
export class BundleEntryChecker {
  private entries = 0;
  private unpackedBytes = 0;
  /** Folders named by an entry or implied by one's path; "" is the bundle folder. */
  private readonly folders = new Set<string>(['']);
  /** Every entry that is not a folder, by normalized path. */
  private readonly others = new Set<string>();
  /** Regular files: normalized path to size. */
  private readonly files = new Map<string, number>();
  /** Symbolic links: normalized path to target. */
  private readonly symlinks = new Map<string, string>();

  constructor(
    private readonly limits: BundleLimits,
    private readonly names: BundleLimitNames = BUNDLE_LIMIT_NAMES,
  ) {}

  /** The regular files seen so far, by normalized path (`a/b.js`), with their sizes. */
  get fileSizes(): ReadonlyMap<string, number> {
    return this.files;
  }

  /** What the entries seen so far declare together, in bytes. */
  get declaredBytes(): number {
    return this.unpackedBytes;
  }

  /** Checks the next entry. */
  add(entry: BundleEntry): void {
    this.entries++;
    const settings = this.names;
    if (this.entries > this.limits.maxEntries) {
      refuse(
        `the bundle has more than ${this.limits.maxEntries} entries (${settings.maxEntries}); "${entry.path}" is one too many`,
      );
    }
    // Every entry's declared size counts, not only files': the reader goes through each byte of it.
    this.unpackedBytes += Math.max(0, entry.size);
    if (this.unpackedBytes > this.limits.maxUnpackedBytes) {
      refuse(
        `the bundle holds more than ${this.limits.maxUnpackedBytes} bytes unpacked (${settings.maxUnpackedBytes}), reached at "${entry.path}"`,
      );
    }
    const segments = relativeSegments(entry.path, `entry "${entry.path}"`);
    const path = segments.join('/');
    this.checkParents(segments, entry.path);

    if (entry.type === 'Directory') {
      if (this.others.has(path)) refuse(`entry "${entry.path}" is a folder, but an earlier entry of that name is not`);
      this.addFolders(segments.length, segments);
      return;
    }
    if (path === '') refuse(`entry "${entry.path}" names the bundle folder itself but is not a folder`);
    if (this.folders.has(path)) refuse(`entry "${entry.path}" would replace a folder of that name`);
    if (this.others.has(path)) refuse(`entry "${entry.path}" appears twice in the bundle`);
    this.others.add(path);
    this.addFolders(segments.length - 1, segments);

    if (FILE_TYPES.has(entry.type)) {
      if ((entry.mode ?? 0) & 0o6000)
        refuse(`entry "${entry.path}" is a setuid or setgid file; bundles run as the task executor's user`);
      this.files.set(path, entry.size);
    } else if (entry.type === 'SymbolicLink') {
      this.checkSymlinkStaysInside(entry.path, segments, entry.linkpath ?? '');
      this.symlinks.set(path, entry.linkpath ?? '');
    } else if (entry.type === 'Link') {
      this.checkHardLink(entry.path, entry.linkpath ?? '');
    } else {
      refuse(
        `entry "${entry.path}" is ${TYPE_NAMES[entry.type] ?? `of type ${entry.type}`}; a bundle may hold only files, folders and links`,
      );
    }
  }

  /** Checks what can only be checked once every entry is known. */
  finish(): void {
    for (const [path, target] of this.symlinks) {
      const stack = path.split('/').slice(0, -1);
      let passed: string | undefined;
      for (const part of target.split('/')) {
        if (part === '' || part === '.') continue;
        if (part === '..') {
          if (passed !== undefined) {
            refuse(
              `symbolic link "${path}" points to "${target}", which climbs (..) after passing through the symbolic link "${passed}"; such a link may leave the bundle`,
            );
          }
          stack.pop();
          continue;
        }
        stack.push(part);
        if (this.symlinks.has(stack.join('/'))) passed = stack.join('/');
      }
    }
  }

  private checkParents(segments: string[], raw: string): void {
    for (let length = 1; length < segments.length; length++) {
      const parent = segments.slice(0, length).join('/');
      if (this.symlinks.has(parent)) refuse(`entry "${raw}" goes through the symbolic link "${parent}"`);
      if (this.others.has(parent)) refuse(`entry "${raw}" goes through "${parent}", which is not a folder`);
    }
  }

  private addFolders(length: number, segments: string[]): void {
    for (let end = 1; end <= length; end++) this.folders.add(segments.slice(0, end).join('/'));
  }

  private checkSymlinkStaysInside(raw: string, segments: string[], target: string): void {
    if (target === '' || isAbsolute(target)) refuse(`symbolic link "${raw}" points to "${target}", outside the bundle`);
    if (target.includes('\\') || target.includes('\0'))
      refuse(`symbolic link "${raw}" points to "${target}"; link targets may not contain "\\" or NUL`);
    let depth = segments.length - 1;
    for (const part of target.split('/')) {
      if (part === '..') depth--;
      else if (part !== '' && part !== '.') depth++;
      if (depth < 0) refuse(`symbolic link "${raw}" points to "${target}", outside the bundle`);
    }
  }

  private checkHardLink(raw: string, target: string): void {
    if (target === '' || isAbsolute(target) || target.split('/').includes('..')) {
      refuse(`hard link "${raw}" points to "${target}", outside the bundle`);
    }
    const path = relativeSegments(target, `hard link "${raw}"`).join('/');
    if (!this.files.has(path))
      refuse(`hard link "${raw}" points to "${target}", which is not a file earlier in the bundle`);
  }
}

/** The segments of a relative path, without "" and "."; refuses absolute paths, `..`, `\` and NUL. */
function relativeSegments(raw: string, what: string): string[] {
  if (isAbsolute(raw)) refuse(`${what} has an absolute path; bundle entries must be relative to the bundle folder`);
  if (raw.includes('\\') || raw.includes('\0'))
    refuse(`${what} contains "\\" or NUL; bundle paths use "/" between names`);
  const segments = raw.split('/').filter((part) => part !== '' && part !== '.');
  if (segments.includes('..')) refuse(`${what} climbs out of the bundle folder (..)`);
  return segments;
}

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:/.test(path);
}

function refuse(message: string): never {
  throw new InvalidArgumentError(`${message}; the bundle was refused and nothing of it was unpacked`);
}
