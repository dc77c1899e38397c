/**
 * A task executor's bundles on local disk (Flink's BlobCache): a bundle named by artifact id is
 * downloaded once from the job manager, verified against its sha256, checked entry by entry and
 * unpacked into `<stateDir>/bundles/<sha256>/`. The unpack happens in `bundles/incoming/` and the
 * finished folder is renamed into place, so a folder named after a sha256 is always complete: a
 * process killed mid-download or mid-unpack leaves only scratch in `incoming/`, cleared at the
 * next start. Concurrent requests for one bundle share a download; later ones find the folder.
 *
 * A folder found there is used only when this cache's own unpacking made it: it carries the mark
 * the unpacking writes (`<sha256>.unpacked` beside it), and both are this process's user's and
 * closed to others. Anything else under that name (a folder someone planted, one a crash left
 * without its mark) is deleted and the bundle downloaded, verified and unpacked again. The cache's
 * folders are created 0700 and a shared `bundles` folder is refused, as a shared state dir is.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, type Stats } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { abortable } from 'abort-controller-x';
import { checkArtifactId } from '../blob/artifactId.js';
import { writeVerifiedFile } from '../blob/writeVerifiedFile.js';
import { InvalidArgumentError, UnavailableError } from '../common/errors.js';
import { ensurePrivateDir } from '../common/privateDir.js';
import type { BundleReference } from '../jobgraph/jobGraph.js';
import {
  compileBundleCacheOptions,
  type BundleCacheOptions,
  type CompiledBundleCacheOptions,
} from './BundleCacheOptions.js';
import { localBundleFolder } from './localBundleFolder.js';
import { unpackBundle } from './unpackBundle.js';

/** The bundles of one task executor; one cache per state dir. */
export class BundleCache {
  private readonly options: CompiledBundleCacheOptions;
  private readonly root: string;
  private readonly incoming: string;
  private readonly pending = new Map<string, Promise<string>>();
  private readonly closing = new AbortController();

  /** Opens the cache under `options.stateDir`, clearing scratch a previous process left behind. */
  constructor(options: BundleCacheOptions) {
    this.options = compileBundleCacheOptions(options);
    this.root = resolve(this.options.stateDir, 'bundles');
    this.incoming = join(this.root, 'incoming');
    ensurePrivateDir(this.root, 'the bundle cache');
    rmSync(this.incoming, { recursive: true, force: true });
    mkdirSync(this.incoming, { mode: 0o700 });
  }

  /**
   * The absolute path of the unpacked bundle's root folder (the one with its package.json).
   * `{ artifactId }` is downloaded and unpacked unless this cache unpacked it before; `{ uri }`
   * names a local folder (`file:///abs/folder` or `/abs/folder`), returned as is once it is known
   * to exist under one of the cache's uri roots (FAILED_PRECONDITION naming `--bundle-uri-root`
   * otherwise). A bad or hostile bundle is INVALID_ARGUMENT naming the problem; an unknown id is
   * NOT_FOUND (from the source). Aborting `signal` gives up waiting; a download shared with other
   * callers goes on for them.
   */
  async resolve(reference: BundleReference, signal?: AbortSignal): Promise<string> {
    if ('uri' in reference) return localBundleFolder(reference.uri, this.options.uriRoots);
    const id = reference.artifactId;
    checkArtifactId(id, 'bundle artifact id');
    const folder = join(this.root, id);
    if (!this.pending.has(id)) {
      if (unpackedHere(folder, id)) return bundleRoot(folder);
      // Not this cache's unpacking: whatever is there goes, and the bundle comes again. Synchronous,
      // so that no other request for the bundle runs between the check and the download it starts.
      rmSync(folder, { recursive: true, force: true });
      rmSync(markOf(folder), { recursive: true, force: true });
    }
    if (this.closing.signal.aborted)
      throw new UnavailableError('the bundle cache is closed; the task executor is shutting down');
    let pending = this.pending.get(id);
    if (!pending) {
      pending = this.fetch(id, folder).finally(() => this.pending.delete(id));
      this.pending.set(id, pending);
    }
    return bundleRoot(await (signal ? abortable(signal, pending) : pending));
  }

  /** Aborts the downloads in progress; later downloads are refused. Cached bundles stay. */
  close(): void {
    this.closing.abort();
  }

  private async fetch(id: string, folder: string): Promise<string> {
    const scratch = join(this.incoming, `${id}.${randomBytes(6).toString('hex')}`);
    const archive = `${scratch}.tgz`;
    const unpacking = `${scratch}.d`;
    try {
      await writeVerifiedFile(
        archive,
        this.options.source.download(id, this.closing.signal),
        { sha256: id, maxBytes: this.options.maxBundleBytes },
        { explain: (problem) => `bundle ${id} was refused as downloaded: ${problem}` },
      );
      await mkdir(unpacking, { mode: 0o700 });
      await unpackBundle(archive, unpacking, this.options).catch((error: unknown) => {
        throw error instanceof InvalidArgumentError
          ? new InvalidArgumentError(`bundle ${id}: ${error.message}`, { cause: error })
          : error;
      });
      // The mark first: a folder in place is then never without it, but after a crash in between (an
      // unmarked folder is unpacked again).
      await writeFile(markOf(folder), id, { mode: 0o600 });
      await moveIntoPlace(unpacking, folder);
      return folder;
    } finally {
      await rm(archive, { force: true });
      await rm(unpacking, { recursive: true, force: true });
    }
  }
}

/** The file beside an unpacked folder that says this cache's unpacking made it. */
function markOf(folder: string): string {
  return `${folder}.unpacked`;
}

/**
 * Whether `folder` holds bundle `id` as this cache unpacked it: a real folder with the mark beside
 * it naming `id`, both of this process's user and closed to everyone else.
 */
function unpackedHere(folder: string, id: string): boolean {
  const stats = lstatSync(folder, { throwIfNoEntry: false });
  const mark = lstatSync(markOf(folder), { throwIfNoEntry: false });
  if (!stats?.isDirectory() || !mark?.isFile() || !ownPrivate(stats) || !ownPrivate(mark)) return false;
  return readFileSync(markOf(folder), 'utf8') === id;
}

/** Whether a file or folder is this process's user's and has no group or other bits. */
function ownPrivate(stats: Stats): boolean {
  const uid = process.getuid?.();
  return (uid === undefined || stats.uid === uid) && (stats.mode & 0o077) === 0;
}

/** Renames the finished folder into place; another cache on the same state dir may have won. */
async function moveIntoPlace(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && existsSync(to)) return;
    throw error;
  }
}

/**
 * The folder with the bundle's package.json: the unpacked folder itself, or its only subfolder
 * when that holds the package.json (as in `npm pack` tarballs, whose entries start with `package/`).
 */
function bundleRoot(folder: string): string {
  if (existsSync(join(folder, 'package.json'))) return folder;
  const names = readdirSync(folder);
  if (names.length === 1) {
    const only = join(folder, names[0]);
    if (lstatSync(only).isDirectory() && existsSync(join(only, 'package.json'))) return only;
  }
  return folder;
}
