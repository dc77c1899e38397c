/**
 * The control plane's artifact records: the `artifacts` table of its SQLite state database
 * (created by the control plane's first migration). Records survive restarts with their file name.
 */
import type { Artifact } from '../../../blob/Artifact.js';
import type { ArtifactIndex } from '../../../blob/ArtifactIndex.js';
import type { StateDatabase } from './stateDatabase.js';

interface ArtifactRow {
  id: string;
  size_bytes: number;
  file_name: string;
  created_at: number;
}

/** An {@link ArtifactIndex} in the `artifacts` table of `db`. */
export class SqliteArtifactIndex implements ArtifactIndex {
  constructor(private readonly db: StateDatabase) {}

  find(id: string): Artifact | undefined {
    const row = this.db.prepare('SELECT * FROM artifacts WHERE id = ?').get(id) as ArtifactRow | undefined;
    return (
      row && { id: row.id, sizeBytes: row.size_bytes, fileName: row.file_name, createdAt: new Date(row.created_at) }
    );
  }

  record(id: string, sizeBytes: number, fileName: string): Artifact {
    this.db
      .prepare('INSERT OR IGNORE INTO artifacts (id, size_bytes, file_name, created_at) VALUES (?, ?, ?, ?)')
      .run(id, sizeBytes, fileName, Date.now());
    return this.find(id)!;
  }

  forget(id: string): void {
    this.db.prepare('DELETE FROM artifacts WHERE id = ?').run(id);
  }

  ids(): string[] {
    return (this.db.prepare('SELECT id FROM artifacts').all() as { id: string }[]).map((row) => row.id);
  }
}
