/**
 * The records of an {@link ArtifactStore} in memory, which its reads answer from. The job manager's
 * blob server keeps nothing else: its files are content addressed and renamed into place only once
 * verified and flushed, so a file is its own durable record, and when the store opens it records
 * every file it finds again (only the display file name does not survive a restart; it is empty
 * afterwards, which nothing relies on). The control plane's store also holds the records it loads
 * from, and writes to, its durable {@link ArtifactRecords}.
 */
import type { Artifact } from './Artifact.js';

/** Artifact records in a map. */
export class MemoryArtifactIndex {
  private readonly records = new Map<string, Artifact>();

  /** The record of `id`, or undefined when there is none. */
  find(id: string): Artifact | undefined {
    return this.records.get(id);
  }

  /** Records an artifact whose bytes are in place; an existing record is kept. Returns the record. */
  record(id: string, sizeBytes: number, fileName: string): Artifact {
    let artifact = this.records.get(id);
    if (!artifact) {
      artifact = { id, sizeBytes, fileName, createdAt: new Date() };
      this.records.set(id, artifact);
    }
    return artifact;
  }

  /** Holds `artifact` as a durable record has it, in place of any record of its id. Returns it. */
  hold(artifact: Artifact): Artifact {
    this.records.set(artifact.id, artifact);
    return artifact;
  }

  /** Drops the record of an artifact whose bytes are gone. */
  forget(id: string): void {
    this.records.delete(id);
  }

  /** The id of every record. */
  ids(): string[] {
    return [...this.records.keys()];
  }
}
