/**
 * Bundles stored by the sha256 of their bytes under a root folder (the control plane's
 * `<state-dir>/artifacts`, a job manager's blob folder). An upload is written to a private
 * temporary file while it is hashed, checked against the size and sha256 the client declared,
 * flushed to disk and only then renamed into place and recorded; so a killed or corrupt upload
 * never leaves anything that counts as present, and the same bytes are stored once.
 *
 * Reads answer from records in memory. The job manager's store keeps nothing else (its files are
 * its records); the control plane's store, opened with {@link ArtifactStore.open}, also keeps them
 * in durable {@link ArtifactRecords} (its store port's artifact catalog): it loads them when it
 * opens, and an upload counts as stored only once its record is written there.
 *
 * Beside an artifact the store may keep a sidecar, `<sha256>.sidecar`: a small file that describes
 * it (the control plane keeps a bundle's index there), written by the upload's `inspect` before the
 * artifact is renamed into place, or later by whoever made it again from the artifact.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError, ResourceExhaustedError } from '../common/errors.js';
import type { Artifact, ArtifactDeclaration } from './Artifact.js';
import { checkArtifactId, isArtifactId } from './artifactId.js';
import type { ArtifactRecords } from './ArtifactRecords.js';
import { MemoryArtifactIndex } from './MemoryArtifactIndex.js';
import { writeVerifiedFile } from './writeVerifiedFile.js';

export type { Artifact, ArtifactDeclaration } from './Artifact.js';
export type { ArtifactRecords } from './ArtifactRecords.js';

/** Options of {@link ArtifactStore}. */
export interface ArtifactStoreOptions {
  /** The largest artifact accepted, in bytes. */
  maxArtifactBytes: number;
  /** What holds the store, as messages name it: "control plane" (the default) or "job manager". */
  holder?: string;
  /**
   * Looks at a verified upload before it counts as stored (a bundle's entries, say); what it
   * throws refuses the upload, and nothing of it is kept. What it returns is kept beside the
   * artifact as its sidecar (a bundle's index, say), in place before the artifact is.
   */
  inspect?: (file: string) => Promise<Uint8Array | void>;
}

/** Options of {@link ArtifactStore.read}. */
export interface ReadArtifactOptions {
  /** The size of the chunks read, in bytes; 256 KiB when not given. */
  chunkBytes?: number;
  /** Stops reading (the iteration throws an AbortError) when aborted. */
  signal?: AbortSignal;
}

const FILE_NAME_MAX = 255;
const DEFAULT_CHUNK_BYTES = 256 * 1024;
/** What a sidecar's file name adds to its artifact's (so it is never taken for an artifact: see isArtifactId). */
const SIDECAR_SUFFIX = '.sidecar';

/** The content-addressed artifact store. */
export class ArtifactStore {
  private readonly objects: string;
  private readonly incoming: string;
  private readonly index = new MemoryArtifactIndex();
  private records: ArtifactRecords | undefined;

  /**
   * Opens (creating if needed) a store whose records are kept in memory only (the job manager's
   * blob server): half-written uploads are removed and every file in place is recorded again.
   */
  constructor(
    root: string,
    private readonly options: ArtifactStoreOptions,
  ) {
    this.objects = join(root, 'sha256');
    this.incoming = join(root, 'incoming');
    mkdirSync(this.objects, { recursive: true });
    mkdirSync(this.incoming, { recursive: true });
    this.recover();
  }

  /**
   * Opens (creating if needed) a store whose records are also kept in `records` (the control
   * plane's): loads them, and brings files and records back in step after a crash or restart
   * (records whose file is gone are forgotten, a file without a record gets one).
   */
  static async open(root: string, records: ArtifactRecords, options: ArtifactStoreOptions): Promise<ArtifactStore> {
    const store = new ArtifactStore(root, options);
    await store.load(records);
    return store;
  }

  /** The largest artifact accepted, in bytes. */
  get maxArtifactBytes(): number {
    return this.options.maxArtifactBytes;
  }

  /** What holds the store, as messages name it ("control plane", "job manager"). */
  get holder(): string {
    return this.options.holder ?? 'control plane';
  }

  /** Returns the artifact, or throws {@link NotFoundError}. */
  get(id: string): Artifact {
    checkArtifactId(id);
    const artifact = this.index.find(id);
    if (!artifact) throw new NotFoundError(`artifact ${id} is not stored; upload it first (flotilla upload)`);
    return artifact;
  }

  /** Returns the artifact, or undefined when it is not stored. */
  find(id: string): Artifact | undefined {
    return this.index.find(id);
  }

  /**
   * The artifact as {@link find} has it, after taking in a record another process sharing the
   * records and the folder (a control-plane replica on the same database) made since this store
   * loaded them: read before answering from memory wherever an artifact id comes from a caller.
   */
  async refresh(id: string): Promise<Artifact | undefined> {
    const known = this.index.find(id);
    if (known || !this.records || !isArtifactId(id)) return known;
    const recorded = await this.records.find(id);
    if (!recorded || !existsSync(this.pathOf(id))) return undefined;
    return this.index.find(id) ?? this.index.hold(recorded);
  }

  /** The path of a stored artifact's bytes. */
  pathOf(id: string): string {
    checkArtifactId(id);
    return join(this.objects, id.slice(0, 2), id);
  }

  /** The bytes of a stored artifact, in chunks. */
  read(id: string, options: ReadArtifactOptions = {}): AsyncIterable<Buffer> {
    return createReadStream(this.pathOf(id), {
      highWaterMark: options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
      signal: options.signal,
    });
  }

  /**
   * Validates a declaration before any byte is read: a malformed sha256 or file name is
   * INVALID_ARGUMENT, a size over the limit RESOURCE_EXHAUSTED.
   */
  checkDeclaration(declaration: ArtifactDeclaration): void {
    checkArtifactId(declaration.sha256, 'declared sha256');
    if (!Number.isSafeInteger(declaration.sizeBytes) || declaration.sizeBytes < 0) {
      throw new InvalidArgumentError(`declared size ${declaration.sizeBytes} is not a byte count`);
    }
    if (declaration.sizeBytes > this.options.maxArtifactBytes) {
      throw new ResourceExhaustedError(
        `the bundle is ${declaration.sizeBytes} bytes; this ${this.holder} accepts at most ${this.options.maxArtifactBytes} (--max-artifact-bytes)`,
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
  async put(
    declaration: ArtifactDeclaration,
    chunks: AsyncIterable<Uint8Array>,
  ): Promise<{ artifact: Artifact; alreadyStored: boolean }> {
    this.checkDeclaration(declaration);
    const existing = this.find(declaration.sha256);
    if (existing) return { artifact: existing, alreadyStored: true };

    const temporary = join(this.incoming, `${declaration.sha256}.${randomBytes(6).toString('hex')}.part`);
    try {
      await writeVerifiedFile(
        temporary,
        chunks,
        { sha256: declaration.sha256, sizeBytes: declaration.sizeBytes },
        { sync: true, explain: (problem) => `${problem}; nothing was stored` },
      );
      const sidecar = await this.options.inspect?.(temporary);
      const folder = join(this.objects, declaration.sha256.slice(0, 2));
      mkdirSync(folder, { recursive: true });
      if (sidecar) await this.writeSidecar(declaration.sha256, sidecar);
      await rename(temporary, this.pathOf(declaration.sha256));
      await syncDirectory(folder);
      return { artifact: await this.record(declaration), alreadyStored: false };
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
  }

  /**
   * The sidecar kept beside a stored artifact (what `inspect` returned when it was uploaded, or
   * what {@link writeSidecar} wrote since), or undefined when it has none.
   */
  async readSidecar(id: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.sidecarPathOf(id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /**
   * Keeps `bytes` beside the artifact as its sidecar, in place of any it had (written aside and
   * renamed into place, so a reader sees the old sidecar or the new one, never part of one). Not
   * flushed to disk: a sidecar describes its artifact and can be made again from it.
   */
  async writeSidecar(id: string, bytes: Uint8Array): Promise<void> {
    const temporary = join(this.incoming, `${id}.${randomBytes(6).toString('hex')}.sidecar`);
    try {
      await writeFile(temporary, bytes, { mode: 0o600, flag: 'wx' });
      await rename(temporary, this.sidecarPathOf(id));
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
  }

  private sidecarPathOf(id: string): string {
    return `${this.pathOf(id)}${SIDECAR_SUFFIX}`;
  }

  /** Records an upload whose bytes are in place: durably first when the store has records besides memory. */
  private async record(declaration: ArtifactDeclaration): Promise<Artifact> {
    const { sha256, sizeBytes, fileName } = declaration;
    if (!this.records) return this.index.record(sha256, sizeBytes, fileName);
    return this.index.hold(await this.records.record(sha256, sizeBytes, fileName));
  }

  /**
   * Brings files and memory back in step after a crash or restart: half-written uploads are
   * removed, and every file in place is recorded.
   */
  private recover(): void {
    for (const name of readdirSync(this.incoming)) rmSync(join(this.incoming, name), { force: true });
    for (const prefix of readdirSync(this.objects)) {
      for (const id of readdirSync(join(this.objects, prefix))) {
        if (isArtifactId(id)) this.index.record(id, statSync(this.pathOf(id)).size, '');
      }
    }
  }

  /**
   * Takes the durable records in memory, in place of what {@link recover} made of the files (a
   * record keeps its file name and time), and brings them in step with the files: a record whose
   * file is gone is forgotten, a file without a record gets one. Writes go to `records` from then on.
   */
  private async load(records: ArtifactRecords): Promise<void> {
    const files = new Set(this.index.ids());
    const loaded = new Set<string>();
    for (const artifact of await records.all()) {
      if (files.has(artifact.id)) loaded.add(this.index.hold(artifact).id);
      else await records.forget(artifact.id);
    }
    for (const id of files) {
      if (!loaded.has(id)) this.index.hold(await records.record(id, this.index.find(id)!.sizeBytes, ''));
    }
    this.records = records;
  }
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
