import { createHash } from 'node:crypto';
import { readdirSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../common/testing/tempDir.js';
import { InvalidArgumentError, NotFoundError, ResourceExhaustedError } from '../common/errors.js';
import { ArtifactStore } from './ArtifactStore.js';
import type { Artifact } from './Artifact.js';
import type { ArtifactRecords } from './ArtifactRecords.js';
import { openBlobServerStore } from './openBlobServerStore.js';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function* chunks(bytes: Buffer, size = 7): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

function newStore(maxArtifactBytes = 1024) {
  const dir = tempDir();
  return { dir, store: new ArtifactStore(join(dir, 'artifacts'), { maxArtifactBytes }) };
}

/** Every file below `folder`, relative. */
function filesBelow(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(folder.length + 1));
}

describe('ArtifactStore', () => {
  const bytes = Buffer.from('a bundle, or something standing in for one');
  const declaration = { sha256: sha256(bytes), sizeBytes: bytes.length, fileName: 'b.tgz' };

  it('stores bytes under their sha256 and finds them again', async () => {
    const { store } = newStore();
    const { artifact, alreadyStored } = await store.put(declaration, chunks(bytes));
    expect(alreadyStored).toBe(false);
    expect(artifact).toMatchObject({ id: declaration.sha256, sizeBytes: bytes.length, fileName: 'b.tgz' });
    expect(store.get(declaration.sha256).id).toBe(declaration.sha256);
    expect(existsSync(store.pathOf(declaration.sha256))).toBe(true);
  });

  it('does not read the bytes of an artifact it already has', async () => {
    const { store } = newStore();
    await store.put(declaration, chunks(bytes));
    let read = 0;
    async function* counting() {
      for await (const chunk of chunks(bytes)) {
        read += chunk.byteLength;
        yield chunk;
      }
    }
    const second = await store.put(declaration, counting());
    expect(second.alreadyStored).toBe(true);
    expect(read).toBe(0);
  });

  it('refuses bytes that do not match the declared sha256 and leaves nothing behind', async () => {
    const { store, dir } = newStore();
    const wrong = { ...declaration, sha256: sha256(Buffer.from('something else')) };
    await expect(store.put(wrong, chunks(bytes))).rejects.toThrow(InvalidArgumentError);
    await expect(store.put(wrong, chunks(bytes))).rejects.toThrow(/not the declared/);
    expect(() => store.get(wrong.sha256)).toThrow(NotFoundError);
    expect(filesBelow(join(dir, 'artifacts'))).toEqual([]);
  });

  it('refuses more or fewer bytes than declared', async () => {
    const { store } = newStore();
    await expect(store.put({ ...declaration, sizeBytes: bytes.length - 1 }, chunks(bytes))).rejects.toThrow(
      /more than the declared/,
    );
    await expect(store.put({ ...declaration, sizeBytes: bytes.length + 1 }, chunks(bytes))).rejects.toThrow(
      /were declared/,
    );
  });

  it('refuses an artifact over the size limit before reading it, naming the limit', async () => {
    const { store } = newStore(10);
    await expect(store.put(declaration, chunks(bytes))).rejects.toThrow(ResourceExhaustedError);
    await expect(store.put(declaration, chunks(bytes))).rejects.toThrow(/at most 10 \(--max-artifact-bytes\)/);
  });

  it('refuses malformed ids and file names', async () => {
    const { store } = newStore();
    expect(() => store.get('../../etc/passwd')).toThrow(/not a lowercase hex sha256/);
    await expect(store.put({ ...declaration, fileName: 'a\nb' }, chunks(bytes))).rejects.toThrow(/printable/);
  });

  it('leaves nothing of an upload whose stream breaks', async () => {
    const { store, dir } = newStore();
    async function* broken() {
      yield bytes.subarray(0, 5);
      throw new Error('client went away');
    }
    await expect(store.put(declaration, broken())).rejects.toThrow('client went away');
    expect(filesBelow(join(dir, 'artifacts'))).toEqual([]);
    expect(store.find(declaration.sha256)).toBeUndefined();
  });

  it('after a crash, drops half-written uploads and records files renamed into place', async () => {
    const { dir } = newStore();
    const root = join(dir, 'artifacts');
    writeFileSync(join(root, 'incoming', 'killed.part'), 'half');
    mkdirSync(join(root, 'sha256', declaration.sha256.slice(0, 2)), { recursive: true });
    writeFileSync(join(root, 'sha256', declaration.sha256.slice(0, 2), declaration.sha256), bytes);
    const store = new ArtifactStore(root, { maxArtifactBytes: 1024 });
    expect(readdirSync(join(root, 'incoming'))).toEqual([]);
    expect(store.get(declaration.sha256).sizeBytes).toBe(bytes.length);
  });

  it('reads a stored artifact back in chunks of the size asked for', async () => {
    const { store } = newStore();
    await store.put(declaration, chunks(bytes));
    const read: Buffer[] = [];
    for await (const chunk of store.read(declaration.sha256, { chunkBytes: 8 })) read.push(chunk);
    expect(read.every((chunk) => chunk.length <= 8)).toBe(true);
    expect(Buffer.concat(read)).toEqual(bytes);
  });
});

describe("ArtifactStore with records in memory (the job manager's blob server)", () => {
  const bytes = Buffer.from('bundle bytes held by a job manager');
  const declaration = { sha256: sha256(bytes), sizeBytes: bytes.length, fileName: 'jm.tgz' };

  it('names the job manager in its limit message', async () => {
    const store = new ArtifactStore(tempDir(), {
      maxArtifactBytes: 4,
      holder: 'job manager',
    });
    await expect(store.put(declaration, chunks(bytes))).rejects.toThrow(/this job manager accepts at most 4/);
  });

  it('finds its files again after a restart, without a database', async () => {
    const stateDir = tempDir();
    const first = openBlobServerStore(stateDir);
    expect((await first.put(declaration, chunks(bytes))).artifact.fileName).toBe('jm.tgz');
    expect(first.pathOf(declaration.sha256).startsWith(join(stateDir, 'blobs'))).toBe(true);
    writeFileSync(join(stateDir, 'blobs', 'incoming', 'killed.part'), 'half');

    const again = openBlobServerStore(stateDir);
    expect(again.get(declaration.sha256)).toMatchObject({
      id: declaration.sha256,
      sizeBytes: bytes.length,
      fileName: '',
    });
    expect(readdirSync(join(stateDir, 'blobs', 'incoming'))).toEqual([]);
    expect((await again.put(declaration, chunks(bytes))).alreadyStored).toBe(true);
  });

  it('keeps what inspect returns beside the artifact as its sidecar, and a sidecar is never taken for an artifact', async () => {
    const dir = tempDir();
    const root = join(dir, 'artifacts');
    const store = new ArtifactStore(root, { maxArtifactBytes: 1024, inspect: async () => Buffer.from('its index') });
    await store.put(declaration, chunks(bytes));
    expect((await store.readSidecar(declaration.sha256))?.toString()).toBe('its index');
    await store.writeSidecar(declaration.sha256, Buffer.from('made again'));
    const reopened = new ArtifactStore(root, { maxArtifactBytes: 1024 });
    expect((await reopened.readSidecar(declaration.sha256))?.toString()).toBe('made again');
    expect(reopened.find(declaration.sha256)).toBeDefined();
    expect(filesBelow(root).filter((path) => !path.includes(declaration.sha256))).toEqual([]);
    expect(filesBelow(root)).toHaveLength(2);
    // A refused upload leaves no sidecar either.
    const other = Buffer.from('another bundle');
    const refusing = new ArtifactStore(join(dir, 'refusing'), {
      maxArtifactBytes: 1024,
      inspect: () => Promise.reject(new InvalidArgumentError('not a bundle')),
    });
    const refused = { sha256: sha256(other), sizeBytes: other.length, fileName: 'o.tgz' };
    await expect(refusing.put(refused, chunks(other))).rejects.toThrow('not a bundle');
    expect(await refusing.readSidecar(refused.sha256)).toBeUndefined();
    expect(filesBelow(join(dir, 'refusing'))).toEqual([]);
  });
});

/** Durable records standing in for the control plane's catalog: a map behind promises, with a switch that fails writes. */
class RecordsInMap implements ArtifactRecords {
  readonly rows = new Map<string, Artifact>();
  failWrites = false;

  async find(id: string): Promise<Artifact | undefined> {
    await Promise.resolve();
    return this.rows.get(id);
  }

  async record(id: string, sizeBytes: number, fileName: string): Promise<Artifact> {
    await Promise.resolve();
    if (this.failWrites) throw new Error('the catalog is down');
    if (!this.rows.has(id)) this.rows.set(id, { id, sizeBytes, fileName, createdAt: new Date(1_000) });
    return this.rows.get(id)!;
  }

  async forget(id: string): Promise<void> {
    await Promise.resolve();
    this.rows.delete(id);
  }

  async all(): Promise<Artifact[]> {
    await Promise.resolve();
    return [...this.rows.values()];
  }
}

describe("ArtifactStore with durable records (the control plane's catalog)", () => {
  const bytes = Buffer.from('bundle bytes held by the control plane');
  const declaration = { sha256: sha256(bytes), sizeBytes: bytes.length, fileName: 'cp.tgz' };

  it('records an upload in the catalog before it counts as stored, and reads it from memory', async () => {
    const records = new RecordsInMap();
    const store = await ArtifactStore.open(tempDir(), records, { maxArtifactBytes: 1024 });
    const { artifact, alreadyStored } = await store.put(declaration, chunks(bytes));
    expect(alreadyStored).toBe(false);
    expect(records.rows.get(declaration.sha256)).toEqual(artifact);
    expect(store.get(declaration.sha256)).toEqual(artifact);
    expect((await store.put(declaration, chunks(bytes))).alreadyStored).toBe(true);
  });

  it('refuses an upload the catalog cannot record, and does not count it as stored', async () => {
    const records = new RecordsInMap();
    const store = await ArtifactStore.open(tempDir(), records, { maxArtifactBytes: 1024 });
    records.failWrites = true;
    await expect(store.put(declaration, chunks(bytes))).rejects.toThrow('the catalog is down');
    expect(store.find(declaration.sha256)).toBeUndefined();
    records.failWrites = false;
    expect((await store.put(declaration, chunks(bytes))).alreadyStored).toBe(false);
    expect(records.rows.has(declaration.sha256)).toBe(true);
  });

  it('loads its records when it opens, with their file names, and brings files and records in step', async () => {
    const root = tempDir();
    const records = new RecordsInMap();
    const first = await ArtifactStore.open(root, records, { maxArtifactBytes: 1024 });
    const { artifact } = await first.put(declaration, chunks(bytes));
    // A record whose bytes are gone, a file renamed into place without a record, a killed upload.
    const gone = sha256(Buffer.from('gone'));
    await records.record(gone, 4, 'gone.tgz');
    const unrecorded = Buffer.from('renamed into place, then the control plane died');
    const unrecordedId = sha256(unrecorded);
    mkdirSync(join(root, 'sha256', unrecordedId.slice(0, 2)), { recursive: true });
    writeFileSync(join(root, 'sha256', unrecordedId.slice(0, 2), unrecordedId), unrecorded);
    writeFileSync(join(root, 'incoming', 'killed.part'), 'half');

    const again = await ArtifactStore.open(root, records, { maxArtifactBytes: 1024 });
    expect(again.get(declaration.sha256)).toEqual(artifact);
    expect(again.find(gone)).toBeUndefined();
    expect(records.rows.has(gone)).toBe(false);
    expect(again.get(unrecordedId)).toMatchObject({ sizeBytes: unrecorded.length, fileName: '' });
    expect(records.rows.get(unrecordedId)).toEqual(again.get(unrecordedId));
    expect(readdirSync(join(root, 'incoming'))).toEqual([]);
  });
});
