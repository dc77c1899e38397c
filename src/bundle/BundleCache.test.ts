import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isAbortError } from 'abort-controller-x';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../common/testing/tempDir.js';
import { sha256OfBytes } from '../blob/sha256.js';
import { packBundle } from '../client/bundlePacker.js';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, UnavailableError } from '../common/errors.js';
import { SharedStateDirError } from '../common/privateDir.js';
import type { BlobSource } from '../blob/BlobSource.js';
import { BundleCache } from './BundleCache.js';
import { BundleUriRoots } from './BundleUriRoots.js';
import { FIXTURE_FILES, writeFixtureFolder } from './testing/fixtureFolder.js';
import { tarball } from './testing/tarball.js';

/** Blobs in memory; downloads wait for `release()` while `hold()` is in effect. */
class MemorySource implements BlobSource {
  readonly blobs = new Map<string, Buffer>();
  downloads = 0;
  private gate: Promise<void> = Promise.resolve();
  private open = () => undefined as void;

  add(bytes: Buffer): string {
    const id = sha256OfBytes(bytes);
    this.blobs.set(id, bytes);
    return id;
  }

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open();
  }

  async *download(id: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    this.downloads++;
    await this.gate;
    signal?.throwIfAborted();
    const bytes = this.blobs.get(id);
    if (!bytes) throw new NotFoundError(`artifact ${id} is not stored on this job manager`);
    for (let at = 0; at < bytes.length; at += 1000) yield bytes.subarray(at, at + 1000);
  }
}

async function fixtureBundle(): Promise<Buffer> {
  const packed = await packBundle(writeFixtureFolder(tempDir()));
  try {
    return readFileSync(packed.file);
  } finally {
    packed.cleanup();
  }
}

/** A cache in `<outer>/state`, so that a test can see whether anything landed beside it. */
function newCache(options: { maxEntries?: number; maxUnpackedBytes?: number; uriRoots?: BundleUriRoots } = {}) {
  const outer = tempDir();
  const stateDir = join(outer, 'state');
  const source = new MemorySource();
  return { outer, stateDir, source, cache: new BundleCache({ stateDir, source, ...options }) };
}

/** Plants `bundles/<id>/` as a local attacker would: a main.js that leaves a marker file when it runs. */
function plant(stateDir: string, id: string): { folder: string; main: string } {
  const folder = join(stateDir, 'bundles', id);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), '{"main":"main.js"}');
  const main = `import { writeFileSync } from 'node:fs'; writeFileSync('${join(stateDir, 'PLANTED-RAN')}', '');\n`;
  writeFileSync(join(folder, 'main.js'), main);
  return { folder, main };
}

/** Everything under `<stateDir>/bundles`, relative. */
function bundlesFolder(stateDir: string): string[] {
  return readdirSync(join(stateDir, 'bundles'), { recursive: true }).map(String).sort();
}

describe('BundleCache', () => {
  it('downloads, verifies and unpacks a bundle into <stateDir>/bundles/<sha256>', async () => {
    const { stateDir, source, cache } = newCache();
    const id = source.add(await fixtureBundle());
    const root = await cache.resolve({ artifactId: id });
    expect(root).toBe(join(stateDir, 'bundles', id));
    for (const [path, content] of Object.entries(FIXTURE_FILES))
      expect(readFileSync(join(root, path), 'utf8')).toBe(content);
    expect(readlinkSync(join(root, 'node_modules/.bin/dep'))).toBe('../dep/cli.js');
    expect(readdirSync(join(stateDir, 'bundles', 'incoming'))).toEqual([]);
  });

  it('shares one download between concurrent requests and serves later ones from disk', async () => {
    const { stateDir, source, cache } = newCache();
    const id = source.add(await fixtureBundle());
    source.hold();
    const first = cache.resolve({ artifactId: id });
    const second = cache.resolve({ artifactId: id });
    source.release();
    expect(await first).toBe(await second);
    expect(source.downloads).toBe(1);

    expect(await cache.resolve({ artifactId: id })).toBe(await first);
    const restarted = new BundleCache({ stateDir, source: new MemorySource() });
    expect(await restarted.resolve({ artifactId: id })).toBe(await first);
    expect(source.downloads).toBe(1);
  });

  it('refuses bytes whose sha256 is not the id, naming both, and keeps nothing', async () => {
    const { stateDir, source, cache } = newCache();
    const id = sha256OfBytes(Buffer.from('what was asked for'));
    source.blobs.set(id, await fixtureBundle());
    const refused = cache.resolve({ artifactId: id });
    await expect(refused).rejects.toThrow(InvalidArgumentError);
    await expect(refused).rejects.toThrow(
      new RegExp(`bundle ${id} was refused as downloaded: the bytes have sha256 [0-9a-f]{64}, not the declared ${id}`),
    );
    expect(bundlesFolder(stateDir)).toEqual(['incoming']);
  });

  it('passes NOT_FOUND of the source through and refuses ids that are not sha256', async () => {
    const { cache } = newCache();
    await expect(cache.resolve({ artifactId: 'a'.repeat(64) })).rejects.toThrow(NotFoundError);
    await expect(cache.resolve({ artifactId: '../../etc' })).rejects.toThrow(
      /bundle artifact id "\.\.\/\.\.\/etc" is not a lowercase hex sha256/,
    );
  });

  describe('refuses hostile bundles, naming the entry, and writes nothing anywhere', () => {
    const cases = [
      {
        name: 'a ../ path',
        entries: [
          { path: 'package.json', content: '{}' },
          { path: '../../../../evil', content: 'x' },
        ],
        entry: '../../../../evil',
      },
      {
        name: 'an absolute path',
        entries: [{ path: '/tmp/flotilla-absolute-evil', content: 'x' }],
        entry: '/tmp/flotilla-absolute-evil',
      },
      {
        name: 'a symbolic link to /etc',
        entries: [{ path: 'etc', type: 'SymbolicLink' as const, linkpath: '/etc' }],
        entry: 'etc',
      },
      {
        name: 'a write through a link that leaves',
        entries: [
          { path: 'up', type: 'SymbolicLink' as const, linkpath: '../../../..' },
          { path: 'up/evil', content: 'x' },
        ],
        entry: 'up',
      },
      {
        name: 'a hard link outside',
        entries: [{ path: 'h', type: 'Link' as const, linkpath: '../../../../outside' }],
        entry: 'h',
      },
      { name: 'a device', entries: [{ path: 'null', type: 'CharacterDevice' as const }], entry: 'null' },
      { name: 'a setuid file', entries: [{ path: 'sh', content: '#!/bin/sh', mode: 0o4755 }], entry: 'sh' },
    ];
    it.each(cases)('$name', async ({ entries, entry }) => {
      const { outer, stateDir, source, cache } = newCache();
      const id = source.add(tarball(entries));
      const refused = cache.resolve({ artifactId: id });
      await expect(refused).rejects.toThrow(InvalidArgumentError);
      await expect(refused).rejects.toThrow(`"${entry}"`);
      expect(readdirSync(outer)).toEqual(['state']);
      expect(readdirSync(stateDir)).toEqual(['bundles']);
      expect(bundlesFolder(stateDir)).toEqual(['incoming']);
      expect(existsSync('/tmp/flotilla-absolute-evil')).toBe(false);
    });

    it('too many entries', async () => {
      const { stateDir, source, cache } = newCache({ maxEntries: 5 });
      const id = source.add(tarball(Array.from({ length: 8 }, (_, index) => ({ path: `f${index}`, content: 'x' }))));
      await expect(cache.resolve({ artifactId: id })).rejects.toThrow(
        /more than 5 entries \(maxEntries\); "f5" is one too many/,
      );
      expect(bundlesFolder(stateDir)).toEqual(['incoming']);
    });

    it('too many unpacked bytes', async () => {
      const { stateDir, source, cache } = newCache({ maxUnpackedBytes: 4096 });
      const id = source.add(
        tarball([
          { path: 'small', content: 'x' },
          { path: 'big', content: randomBytes(5000) },
        ]),
      );
      await expect(cache.resolve({ artifactId: id })).rejects.toThrow(
        /more than 4096 bytes unpacked \(maxUnpackedBytes\), reached at "big"/,
      );
      expect(bundlesFolder(stateDir)).toEqual(['incoming']);
    });

    it('bytes that are not a gzipped tar', async () => {
      const { source, cache } = newCache();
      const id = source.add(randomBytes(3000));
      await expect(cache.resolve({ artifactId: id })).rejects.toThrow(/not a well-formed gzipped tar/);
    });
  });

  it('unpacks hard links to files earlier in the bundle', async () => {
    const { source, cache } = newCache();
    const id = source.add(
      tarball([
        { path: 'package.json', content: '{}' },
        { path: 'lib/a.js', content: 'a' },
        { path: 'b.js', type: 'Link', linkpath: 'lib/a.js' },
      ]),
    );
    const root = await cache.resolve({ artifactId: id });
    expect(readFileSync(join(root, 'b.js'), 'utf8')).toBe('a');
    expect(statSync(join(root, 'b.js')).ino).toBe(statSync(join(root, 'lib/a.js')).ino);
  });

  it('returns the package folder of an npm pack tarball', async () => {
    const { stateDir, source, cache } = newCache();
    const id = source.add(
      tarball([
        { path: 'package/package.json', content: '{}' },
        { path: 'package/main.js', content: '' },
      ]),
    );
    expect(await cache.resolve({ artifactId: id })).toBe(join(stateDir, 'bundles', id, 'package'));
  });

  it('clears scratch a killed process left, and never counts it as a bundle', async () => {
    const { stateDir, source } = newCache();
    const id = source.add(await fixtureBundle());
    const scratch = join(stateDir, 'bundles', 'incoming', `${id}.dead.d`);
    mkdirSync(scratch, { recursive: true });
    writeFileSync(join(scratch, 'package.json'), 'half');
    const cache = new BundleCache({ stateDir, source });
    expect(readdirSync(join(stateDir, 'bundles', 'incoming'))).toEqual([]);
    expect(readFileSync(join(await cache.resolve({ artifactId: id }), 'main.js'), 'utf8')).toBe(
      FIXTURE_FILES['main.js'],
    );
    expect(source.downloads).toBe(1);
  });

  it('lets one caller give up while the shared download goes on for another', async () => {
    const { source, cache } = newCache();
    const id = source.add(await fixtureBundle());
    source.hold();
    const controller = new AbortController();
    const impatient = cache.resolve({ artifactId: id }, controller.signal);
    const patient = cache.resolve({ artifactId: id });
    controller.abort();
    await expect(impatient).rejects.toSatisfy(isAbortError);
    source.release();
    expect(existsSync(join(await patient, 'package.json'))).toBe(true);
  });

  it('aborts downloads in progress when closed and refuses new ones', async () => {
    const { stateDir, source, cache } = newCache();
    const id = source.add(await fixtureBundle());
    source.hold();
    const pending = cache.resolve({ artifactId: id });
    cache.close();
    source.release();
    await expect(pending).rejects.toSatisfy(isAbortError);
    await expect(cache.resolve({ artifactId: id })).rejects.toThrow(UnavailableError);
    expect(bundlesFolder(stateDir)).toEqual(['incoming']);
  });

  describe('does not use what it did not unpack itself', () => {
    it('replaces a pre-planted bundles/<sha256>/ folder by the verified bundle', async () => {
      const { stateDir, source } = newCache();
      const id = source.add(await fixtureBundle());
      const planted = plant(stateDir, id);
      const cache = new BundleCache({ stateDir, source });
      const root = await cache.resolve({ artifactId: id });
      expect(root).toBe(planted.folder);
      expect(readFileSync(join(root, 'main.js'), 'utf8')).toBe(FIXTURE_FILES['main.js']);
      expect(source.downloads).toBe(1);
      // Unpacked by the cache now: a later request (and a restarted cache) uses it as it is.
      await cache.resolve({ artifactId: id });
      await new BundleCache({ stateDir, source }).resolve({ artifactId: id });
      expect(source.downloads).toBe(1);
    });

    it("replaces a planted folder with a forged mark that is not its own user's, or that others can write", async () => {
      const { stateDir, source, cache } = newCache();
      const id = source.add(await fixtureBundle());
      const forge = () => {
        const planted = plant(stateDir, id);
        writeFileSync(`${planted.folder}.unpacked`, id, { mode: 0o600 });
        chmodSync(planted.folder, 0o700);
        return planted;
      };
      const otherUser = forge();
      chownSync(otherUser.folder, 65534, 65534);
      expect(readFileSync(join(await cache.resolve({ artifactId: id }), 'main.js'), 'utf8')).toBe(
        FIXTURE_FILES['main.js'],
      );
      const writable = forge();
      chmodSync(writable.folder, 0o777);
      expect(readFileSync(join(await cache.resolve({ artifactId: id }), 'main.js'), 'utf8')).toBe(
        FIXTURE_FILES['main.js'],
      );
      const markOfOther = forge();
      chownSync(`${markOfOther.folder}.unpacked`, 65534, 65534);
      expect(readFileSync(join(await cache.resolve({ artifactId: id }), 'main.js'), 'utf8')).toBe(
        FIXTURE_FILES['main.js'],
      );
      expect(source.downloads).toBe(3);
      expect(existsSync(join(stateDir, 'PLANTED-RAN'))).toBe(false);
    });

    it('replaces a link planted where the folder goes, and leaves the folder it pointed to alone', async () => {
      const { stateDir, source, cache } = newCache();
      const id = source.add(await fixtureBundle());
      const elsewhere = plant(tempDir(), id);
      symlinkSync(elsewhere.folder, join(stateDir, 'bundles', id));
      writeFileSync(join(stateDir, 'bundles', `${id}.unpacked`), id, { mode: 0o600 });
      const root = await cache.resolve({ artifactId: id });
      expect(readFileSync(join(root, 'main.js'), 'utf8')).toBe(FIXTURE_FILES['main.js']);
      expect(readFileSync(join(elsewhere.folder, 'main.js'), 'utf8')).toBe(elsewhere.main);
    });

    it('unpacks again a folder whose mark names another bundle', async () => {
      const { stateDir, source, cache } = newCache();
      const id = source.add(await fixtureBundle());
      const root = await cache.resolve({ artifactId: id });
      writeFileSync(join(root, 'main.js'), 'changed');
      writeFileSync(join(stateDir, 'bundles', `${id}.unpacked`), 'a'.repeat(64));
      expect(readFileSync(join(await cache.resolve({ artifactId: id }), 'main.js'), 'utf8')).toBe(
        FIXTURE_FILES['main.js'],
      );
      expect(source.downloads).toBe(2);
    });

    it('makes its folders 0700 and refuses a bundles folder others can enter', async () => {
      const { stateDir, source, cache } = newCache();
      const id = source.add(await fixtureBundle());
      await cache.resolve({ artifactId: id });
      for (const folder of [stateDir, join(stateDir, 'bundles'), join(stateDir, 'bundles', id)])
        expect(statSync(folder).mode & 0o777).toBe(0o700);
      expect(statSync(join(stateDir, 'bundles', `${id}.unpacked`)).mode & 0o777).toBe(0o600);
      chmodSync(join(stateDir, 'bundles'), 0o755);
      expect(() => new BundleCache({ stateDir, source })).toThrow(SharedStateDirError);
      expect(() => new BundleCache({ stateDir, source })).toThrow(`run chmod 700 ${join(stateDir, 'bundles')}`);
    });
  });

  describe('bundle uris', () => {
    it('returns a local folder under a uri root as is, given as file:// URL or absolute path', async () => {
      const root = tempDir();
      const { cache } = newCache({ uriRoots: new BundleUriRoots([root], 'task executor') });
      const folder = writeFixtureFolder(join(root, 'app'));
      expect(await cache.resolve({ uri: pathToFileURL(folder).href })).toBe(folder);
      expect(await cache.resolve({ uri: folder })).toBe(folder);
      expect(await cache.resolve({ uri: root })).toBe(root);
    });

    it('refuses every uri without a root, naming --bundle-uri-root', async () => {
      const { cache } = newCache();
      const folder = writeFixtureFolder(tempDir());
      const refused = cache.resolve({ uri: folder });
      await expect(refused).rejects.toThrow(FailedPreconditionError);
      await expect(refused).rejects.toThrow(
        `bundle uri "${folder}" names ${folder}, which is not under a --bundle-uri-root of this process (it has none); start the process with --bundle-uri-root DIR to allow bundle folders under DIR, or upload the bundle (UploadArtifact) and name its artifact id`,
      );
    });

    it('refuses folders outside its roots, also through a link or .. inside a root', async () => {
      const root = tempDir();
      const outside = writeFixtureFolder(tempDir());
      symlinkSync(outside, join(root, 'link'));
      const { cache } = newCache({ uriRoots: new BundleUriRoots([root], 'task executor') });
      for (const uri of [outside, pathToFileURL(outside).href, join(root, 'link'), `${root}/../${basename(outside)}`]) {
        await expect(cache.resolve({ uri })).rejects.toThrow(
          `which is not under a --bundle-uri-root of this task executor (it allows ${root}); start the task executor with --bundle-uri-root DIR`,
        );
      }
      await expect(cache.resolve({ uri: `${root}-sibling` })).rejects.toThrow(FailedPreconditionError);
    });

    it('takes any folder in a mini cluster', async () => {
      const { cache } = newCache({ uriRoots: BundleUriRoots.anywhere('mini cluster') });
      const folder = writeFixtureFolder(tempDir());
      expect(await cache.resolve({ uri: folder })).toBe(folder);
    });

    it('refuses missing folders, files, relative paths and other schemes, saying what is supported', async () => {
      const folder = tempDir();
      const { cache } = newCache({ uriRoots: new BundleUriRoots([folder], 'task executor') });
      writeFileSync(join(folder, 'a.tgz'), '');
      await expect(cache.resolve({ uri: join(folder, 'missing') })).rejects.toThrow(NotFoundError);
      await expect(cache.resolve({ uri: join(folder, 'a.tgz') })).rejects.toThrow(/is not a folder/);
      await expect(cache.resolve({ uri: 'bundles/wordcount' })).rejects.toThrow(
        /relative path; supported: file:\/\/\/absolute\/folder/,
      );
      await expect(cache.resolve({ uri: 's3://bucket/bundle.tgz' })).rejects.toThrow(
        /scheme "s3:" is not supported; supported: file:\/\/\/absolute\/folder or an absolute folder path/,
      );
      await expect(cache.resolve({ uri: 'file://otherhost/x' })).rejects.toThrow(InvalidArgumentError);
    });
  });
});
