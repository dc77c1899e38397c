/**
 * Where an {@link ArtifactStore} keeps its records durably besides memory: the control plane's
 * artifact catalog (its store port's `artifacts` repository satisfies this interface as it is,
 * without the blob folder knowing the control plane). Asynchronous, so that a database reached over
 * the network can keep them; the store reads them once, when it opens, and answers reads from memory.
 */
import type { Artifact } from './Artifact.js';

/** The durable records of an artifact store. */
export interface ArtifactRecords {
  /** The record of `id`, or undefined when there is none. */
  find(id: string): Promise<Artifact | undefined>;
  /** Records an artifact whose bytes are in place; an existing record is kept. Resolves to the record. */
  record(id: string, sizeBytes: number, fileName: string): Promise<Artifact>;
  /** Drops the record of an artifact whose bytes are gone. */
  forget(id: string): Promise<void>;
  /** Every record, in one read (the store loads them all when it opens). */
  all(): Promise<Artifact[]>;
}
