/**
 * Artifact records kept in memory, for the job manager's blob server. Its files are content
 * addressed and renamed into place only once verified and flushed, so a file is its own durable
 * record: when the store opens it records every file it finds here again. Only the display file
 * name does not survive a restart (it is empty afterwards), which nothing relies on.
 */
import type { Artifact } from './Artifact.js';
import type { ArtifactIndex } from './ArtifactIndex.js';

/** An {@link ArtifactIndex} in a map. */
export class MemoryArtifactIndex implements ArtifactIndex {
  private readonly records = new Map<string, Artifact>();

  find(id: string): Artifact | undefined {
    return this.records.get(id);
  }

  record(id: string, sizeBytes: number, fileName: string): Artifact {
    let artifact = this.records.get(id);
    if (!artifact) {
      artifact = { id, sizeBytes, fileName, createdAt: new Date() };
      this.records.set(id, artifact);
    }
    return artifact;
  }

  forget(id: string): void {
    this.records.delete(id);
  }

  ids(): string[] {
    return [...this.records.keys()];
  }
}
