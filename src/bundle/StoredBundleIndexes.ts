/**
 * The indexes of the bundles an {@link ArtifactStore} holds ({@link BundleIndex}): the sidecar the
 * upload check left beside each bundle, read once and then kept in memory (the bundle never changes:
 * it is named by its sha256). A bundle stored before indexes were kept, or whose sidecar is gone or
 * of another version, is indexed again from its archive, once, and its sidecar written. Reading
 * one file of a bundle, which the index cannot answer, stops as soon as the file was read.
 */
import type { ArtifactStore } from '../blob/ArtifactStore.js';
import type { BundleLimitNames, BundleLimits } from './BundleEntryChecker.js';
import { checkBundleArchive } from './checkBundleArchive.js';
import { decodeBundleIndex, encodeBundleIndex, type BundleIndex } from './BundleIndex.js';
import { readArchiveFiles, type ArchiveFile } from './readArchiveFiles.js';

/** The most indexes kept in memory; past it the oldest kept is dropped (and read again when asked for). */
const MAX_KEPT_INDEXES = 64;

/** What an entry check reads of stored bundles. */
export interface StoredBundles {
  /** The bundle's index. */
  index(artifactId: string): Promise<BundleIndex>;
  /** One regular file of the bundle, by normalized path, read up to 1 MiB; undefined when it has none. */
  readFile(artifactId: string, path: string): Promise<ArchiveFile | undefined>;
}

/** The indexes and files of an artifact store's bundles. */
export class StoredBundleIndexes implements StoredBundles {
  private readonly kept = new Map<string, Promise<BundleIndex>>();

  /** `limits` (named `names`) bound the archive of a bundle indexed again, as the upload check bounds it. */
  constructor(
    private readonly artifacts: ArtifactStore,
    private readonly limits: BundleLimits,
    private readonly names?: BundleLimitNames,
  ) {}

  index(artifactId: string): Promise<BundleIndex> {
    let index = this.kept.get(artifactId);
    if (!index) {
      index = this.load(artifactId);
      // Callers at once share one read; a failed read is tried again by the next caller.
      index.catch(() => this.kept.delete(artifactId));
      if (this.kept.size >= MAX_KEPT_INDEXES) this.kept.delete(this.kept.keys().next().value!);
      this.kept.set(artifactId, index);
    }
    return index;
  }

  async readFile(artifactId: string, path: string): Promise<ArchiveFile | undefined> {
    return (await readArchiveFiles(this.artifacts.pathOf(artifactId), [path])).get(path);
  }

  private async load(artifactId: string): Promise<BundleIndex> {
    const sidecar = await this.artifacts.readSidecar(artifactId);
    if (sidecar) {
      try {
        return decodeBundleIndex(sidecar);
      } catch {
        // Of another version, or damaged: made again below.
      }
    }
    const index = await checkBundleArchive(this.artifacts.pathOf(artifactId), this.limits, this.names);
    await this.artifacts.writeSidecar(artifactId, encodeBundleIndex(index));
    return index;
  }
}
