/**
 * Where an {@link ArtifactStore} records which artifacts it holds. The files are written and
 * renamed into place first and recorded second, so an index may lag the files after a crash; the
 * store brings them back in step when it opens.
 */
import type { Artifact } from './Artifact.js';

/** The records of an artifact store. */
export interface ArtifactIndex {
  /** The record of `id`, or undefined when there is none. */
  find(id: string): Artifact | undefined;
  /** Records an artifact whose bytes are in place; an existing record is kept. Returns the record. */
  record(id: string, sizeBytes: number, fileName: string): Artifact;
  /** Drops the record of an artifact whose bytes are gone. */
  forget(id: string): void;
  /** The id of every record. */
  ids(): string[];
}
