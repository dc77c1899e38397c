/**
 * The control plane's artifact records in the `artifacts` table of its PostgreSQL database. The
 * bundles' bytes stay files in the artifact folder (`--artifact-dir`), which replicas on several
 * machines must share; keeping them in the database is a later step.
 */
import type { Artifact } from '../../../blob/Artifact.js';
import type { ArtifactCatalog } from '../ArtifactCatalog.js';
import type { PostgresAccess } from './PostgresAccess.js';

interface ArtifactRow {
  id: string;
  size_bytes: number;
  file_name: string;
  created_at: Date;
}

/** An {@link ArtifactCatalog} in the `artifacts` table. */
export class PostgresArtifactCatalog implements ArtifactCatalog {
  constructor(private readonly access: PostgresAccess) {}

  async find(id: string): Promise<Artifact | undefined> {
    const { rows } = await this.access.query<ArtifactRow>('SELECT * FROM artifacts WHERE id = $1', [id]);
    return rows[0] && fromRow(rows[0]);
  }

  async record(id: string, sizeBytes: number, fileName: string): Promise<Artifact> {
    await this.access.query(
      'INSERT INTO artifacts (id, size_bytes, file_name, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
      [id, sizeBytes, fileName, new Date()],
    );
    // A statement of its own: it sees the record a concurrent upload committed while the insert waited for it.
    return (await this.find(id))!;
  }

  async forget(id: string): Promise<void> {
    await this.access.query('DELETE FROM artifacts WHERE id = $1', [id]);
  }

  async all(): Promise<Artifact[]> {
    const { rows } = await this.access.query<ArtifactRow>('SELECT * FROM artifacts');
    return rows.map(fromRow);
  }
}

function fromRow(row: ArtifactRow): Artifact {
  return { id: row.id, sizeBytes: row.size_bytes, fileName: row.file_name, createdAt: row.created_at };
}
