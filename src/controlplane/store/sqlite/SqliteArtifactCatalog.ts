/**
 * The control plane's artifact records: the `artifacts` table of its SQLite state database
 * (created by the control plane's first migration). Records survive restarts with their file name.
 */
import type { Artifact } from '../../../blob/Artifact.js';
import type { ArtifactCatalog } from '../ArtifactCatalog.js';
import type { SqliteAccess } from './SqliteAccess.js';
import type { StateDatabase } from './stateDatabase.js';

interface ArtifactRow {
  id: string;
  size_bytes: number;
  file_name: string;
  created_at: number;
}

/** An {@link ArtifactCatalog} in the `artifacts` table of `db`. */
export class SqliteArtifactCatalog implements ArtifactCatalog {
  constructor(
    private readonly db: StateDatabase,
    private readonly access: SqliteAccess,
  ) {}

  find(id: string): Promise<Artifact | undefined> {
    return this.access.read(() => this.select(id));
  }

  record(id: string, sizeBytes: number, fileName: string): Promise<Artifact> {
    return this.access.write(() => {
      this.db
        .prepare('INSERT OR IGNORE INTO artifacts (id, size_bytes, file_name, created_at) VALUES (?, ?, ?, ?)')
        .run(id, sizeBytes, fileName, Date.now());
      return this.select(id)!;
    });
  }

  forget(id: string): Promise<void> {
    return this.access.write(() => {
      this.db.prepare('DELETE FROM artifacts WHERE id = ?').run(id);
    });
  }

  all(): Promise<Artifact[]> {
    return this.access.read(() => (this.db.prepare('SELECT * FROM artifacts').all() as ArtifactRow[]).map(fromRow));
  }

  private select(id: string): Artifact | undefined {
    const row = this.db.prepare('SELECT * FROM artifacts WHERE id = ?').get(id) as ArtifactRow | undefined;
    return row && fromRow(row);
  }
}

function fromRow(row: ArtifactRow): Artifact {
  return { id: row.id, sizeBytes: row.size_bytes, fileName: row.file_name, createdAt: new Date(row.created_at) };
}
