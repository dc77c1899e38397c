/**
 * The job manager's blob server store (Flink's BlobServer): bundles under `<stateDir>/blobs`,
 * recorded in memory rather than in a database. Content-addressed files that are only renamed
 * into place once verified and flushed are their own durable record, so a restart finds them
 * again by listing the folder; a job manager needs no SQLite for this.
 */
import { join } from 'node:path';
import { ArtifactStore } from './ArtifactStore.js';

/** Options of {@link openBlobServerStore}. */
export interface BlobServerStoreOptions {
  /** The largest bundle accepted, in bytes; {@link BLOB_SERVER_DEFAULTS} when not given. */
  maxArtifactBytes?: number;
}

/** The defaults of the blob server's settings. */
export const BLOB_SERVER_DEFAULTS = {
  maxArtifactBytes: 512 * 1024 * 1024,
} as const;

/** Opens (creating if needed) the blob store of the job manager whose state folder is `stateDir`. */
export function openBlobServerStore(stateDir: string, options: BlobServerStoreOptions = {}): ArtifactStore {
  return new ArtifactStore(join(stateDir, 'blobs'), {
    maxArtifactBytes: options.maxArtifactBytes ?? BLOB_SERVER_DEFAULTS.maxArtifactBytes,
    holder: 'job manager',
  });
}
