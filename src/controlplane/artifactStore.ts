/**
 * Bundles stored by the sha256 of their bytes under `<state-dir>/artifacts`. An upload is written
 * to a private temporary file while it is hashed, checked against the size and sha256 the client
 * declared, flushed to disk and only then renamed into place and recorded; so a killed or corrupt
 * upload never leaves anything that counts as present, and the same bytes are stored once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError, ResourceExhaustedError } from '../common/errors.js';
import type { StateDatabase } from './store/stateDatabase.js';

/** A stored artifact. */
export interface Artifact {
  /** The lowercase hex sha256 of the bytes. */
  id: string;
  /** The size in bytes. */
  sizeBytes: number;
  /** The file name given at the first upload, for display. */
  fileName: string;
  /** When it was first stored. */
  createdAt: Date;
}

/** What a client declares before sending an artifact's bytes. */
export interface ArtifactDeclaration {
  sha256: string;
  sizeBytes: number;
  fileName: string;
}

/** Options of {@link ArtifactStore}. */
export interface ArtifactStoreOptions {
  /** The largest artifact accepted, in bytes. */
  maxArtifactBytes: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const FILE_NAME_MAX = 255;

interface ArtifactRow {
  id: string;
  size_bytes: number;
  file_name: string;
  created_at: number;
}

/** The content-addressed artifact store. */
export class ArtifactStore {
  private readonly objects: string;
  private readonly incoming: string;

  constructor(
    root: string,
    private readonly db: StateDatabase,
    private readonly options: ArtifactStoreOptions,
  ) {
    this.objects = join(root, 'sha256');
    this.incoming = join(root, 'incoming');
    mkdirSync(this.objects, { recursive: true });
    mkdirSync(this.incoming, { recursive: true });
    this.recover();
  }

  /** The largest artifact accepted, in bytes. */
  get maxArtifactBytes(): number {
    return this.options.maxArtifactBytes;
  }

  /** Returns the artifact, or throws {@link NotFoundError}. */
  get(id: string): Artifact {
    checkId(id);
    const row = this.db.prepare('SELECT * FROM artifacts WHERE id = ?').get(id) as ArtifactRow | undefined;
    if (!row) throw new NotFoundError(`artifact ${id} is not stored; upload it first (flotilla upload)`);
    return toArtifact(row);
  }

  /** Returns the artifact, or undefined when it is not stored. */
  find(id: string): Artifact | undefined {
    const row = this.db.prepare('SELECT * FROM artifacts WHERE id = ?').get(id) as ArtifactRow | undefined;
    return row && toArtifact(row);
  }

  /** The path of a stored artifact's bytes. */
  pathOf(id: string): string {
    checkId(id);
    return join(this.objects, id.slice(0, 2), id);
  }

  /**
   * Validates a declaration before any byte is read: a malformed sha256 or file name is
   * INVALID_ARGUMENT, a size over the limit RESOURCE_EXHAUSTED.
   */
  checkDeclaration(declaration: ArtifactDeclaration): void {
    checkId(declaration.sha256, 'declared sha256');
    if (!Number.isSafeInteger(declaration.sizeBytes) || declaration.sizeBytes < 0) {
      throw new InvalidArgumentError(`declared size ${declaration.sizeBytes} is not a byte count`);
    }
    if (declaration.sizeBytes > this.options.maxArtifactBytes) {
      throw new ResourceExhaustedError(
        `the bundle is ${declaration.sizeBytes} bytes; this control plane accepts at most ${this.options.maxArtifactBytes} (--max-artifact-bytes)`,
      );
    }
    if (declaration.fileName.length > FILE_NAME_MAX || /[\u0000-\u001f]/.test(declaration.fileName)) {
      throw new InvalidArgumentError(`file name must be at most ${FILE_NAME_MAX} printable characters`);
    }
  }

  /**
   * Stores the bytes of `chunks` under the declared sha256. Resolves to the artifact and whether it
   * was already stored (then `chunks` is not read at all). Throws INVALID_ARGUMENT when the bytes do
   * not match the declaration; nothing is left behind then.
   */
  async put(declaration: ArtifactDeclaration, chunks: AsyncIterable<Uint8Array>): Promise<{ artifact: Artifact; alreadyStored: boolean }> {
    this.checkDeclaration(declaration);
    const existing = this.find(declaration.sha256);
    if (existing) return { artifact: existing, alreadyStored: true };

    const temporary = join(this.incoming, `${declaration.sha256}.${randomBytes(6).toString('hex')}.part`);
    const file = await open(temporary, 'wx', 0o600);
    let closed = false;
    try {
      const hash = createHash('sha256');
      let received = 0;
      for await (const chunk of chunks) {
        received += chunk.byteLength;
        if (received > declaration.sizeBytes) {
          throw new InvalidArgumentError(`received more than the declared ${declaration.sizeBytes} bytes; nothing was stored`);
        }
        hash.update(chunk);
        await file.write(chunk);
      }
      if (received !== declaration.sizeBytes) {
        throw new InvalidArgumentError(`received ${received} bytes but ${declaration.sizeBytes} were declared; nothing was stored`);
      }
      const actual = hash.digest('hex');
      if (actual !== declaration.sha256) {
        throw new InvalidArgumentError(`the bytes have sha256 ${actual}, not the declared ${declaration.sha256}; nothing was stored`);
      }
      await file.sync();
      await file.close();
      closed = true;
      const target = this.pathOf(declaration.sha256);
      mkdirSync(join(this.objects, declaration.sha256.slice(0, 2)), { recursive: true });
      await rename(temporary, target);
      await syncDirectory(join(this.objects, declaration.sha256.slice(0, 2)));
      return { artifact: this.record(declaration.sha256, declaration.sizeBytes, declaration.fileName), alreadyStored: false };
    } finally {
      if (!closed) await file.close().catch(() => undefined);
      await unlink(temporary).catch(() => undefined);
    }
  }

  private record(id: string, sizeBytes: number, fileName: string): Artifact {
    this.db
      .prepare('INSERT OR IGNORE INTO artifacts (id, size_bytes, file_name, created_at) VALUES (?, ?, ?, ?)')
      .run(id, sizeBytes, fileName, Date.now());
    return this.get(id);
  }

  /**
   * Brings files and rows back in step after a crash: half-written uploads are removed, rows whose
   * file is gone are dropped, and a file renamed into place just before a crash gets its row.
   */
  private recover(): void {
    for (const name of readdirSync(this.incoming)) rmSync(join(this.incoming, name), { force: true });
    const rows = this.db.prepare('SELECT id FROM artifacts').all() as { id: string }[];
    const known = new Set(rows.map((row) => row.id));
    for (const id of known) {
      if (!existsSync(this.pathOf(id))) this.db.prepare('DELETE FROM artifacts WHERE id = ?').run(id);
    }
    for (const prefix of readdirSync(this.objects)) {
      for (const id of readdirSync(join(this.objects, prefix))) {
        if (SHA256_HEX.test(id) && !known.has(id)) this.record(id, statSync(this.pathOf(id)).size, '');
      }
    }
  }
}

function checkId(id: string, what = 'artifact id'): void {
  if (!SHA256_HEX.test(id)) throw new InvalidArgumentError(`${what} "${id.slice(0, 80)}" is not a lowercase hex sha256 (64 characters)`);
}

function toArtifact(row: ArtifactRow): Artifact {
  return { id: row.id, sizeBytes: row.size_bytes, fileName: row.file_name, createdAt: new Date(row.created_at) };
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
