/**
 * The control plane's artifact records, as a port: which bundles its {@link ArtifactStore} holds,
 * by sha256, with their size, display file name and first upload time. The store writes a bundle's
 * file and renames it into place first and records it here second, so the catalog may lag the files
 * after a crash; the artifact store brings them back in step when it opens. Asynchronous like every
 * repository of the port, so that a database reached over the network can keep it.
 *
 * @see ../../blob/ArtifactStore.ts, which reads its records from memory and writes through this.
 */
import type { Artifact } from '../../blob/Artifact.js';

/** The records of the control plane's artifact store. */
export interface ArtifactCatalog {
  /** The record of `id`, or undefined when there is none. */
  find(id: string): Promise<Artifact | undefined>;
  /** Records an artifact whose bytes are in place; an existing record is kept. Resolves to the record. */
  record(id: string, sizeBytes: number, fileName: string): Promise<Artifact>;
  /** Drops the record of an artifact whose bytes are gone. */
  forget(id: string): Promise<void>;
  /** The id of every record. */
  ids(): Promise<string[]>;
}
