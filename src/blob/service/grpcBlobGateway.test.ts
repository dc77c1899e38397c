/**
 * A job submitter uploads a bundle to a job manager's blob server over gRPC, and a task
 * executor's bundle cache downloads it through the same gateway: real sockets on 127.0.0.1:0.
 */
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../common/testing/tempDir.js';
import { sha256OfBytes } from '../sha256.js';
import { packBundle, type PackedBundle } from '../../client/bundlePacker.js';
import { InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import type { BlobSource } from '../BlobSource.js';
import { BundleCache } from '../../bundle/BundleCache.js';
import { FIXTURE_FILES, writeFixtureFolder } from '../../bundle/testing/fixtureFolder.js';
import { tarball } from '../../bundle/testing/tarball.js';
import { startBlobServer, type BlobServer } from './testing/startBlobServer.js';
import { grpcBlobGateway, type BlobGateway } from './grpcBlobGateway.js';

/** Counts the downloads that go through to the gateway. */
function counting(source: BlobSource): BlobSource & { downloads: number } {
  const counted = {
    downloads: 0,
    download(artifactId: string, signal?: AbortSignal) {
      counted.downloads++;
      return source.download(artifactId, signal);
    },
  };
  return counted;
}

describe('grpcBlobGateway', () => {
  let server: BlobServer;
  let gateway: BlobGateway;
  let bundle: PackedBundle;

  beforeAll(async () => {
    server = await startBlobServer({ chunkBytes: 1024 });
    gateway = grpcBlobGateway(server.address, { chunkBytes: 1024 });
    bundle = await packBundle(writeFixtureFolder(join(tempDir(), 'wordcount')));
  });
  afterAll(async () => {
    bundle.cleanup();
    gateway.close();
    await server.shutdown();
  });

  it('uploads a packed bundle, and a task executor unpacks the same files from the job manager', async () => {
    const uploaded = await gateway.upload({ file: bundle.file });
    const bytes = readFileSync(bundle.file);
    expect(uploaded).toEqual({ artifactId: sha256OfBytes(bytes), sizeBytes: bytes.length, alreadyStored: false });
    expect(server.store.get(uploaded.artifactId).fileName).toBe('wordcount.tgz');

    const cache = new BundleCache({ stateDir: tempDir(), source: gateway });
    const root = await cache.resolve({ artifactId: uploaded.artifactId });
    for (const [path, content] of Object.entries(FIXTURE_FILES))
      expect(readFileSync(join(root, path), 'utf8')).toBe(content);
    expect(readlinkSync(join(root, 'node_modules/.bin/dep'))).toBe('../dep/cli.js');
  });

  it('tells when the job manager already had the bundle, from a file or from bytes', async () => {
    const bytes = readFileSync(bundle.file);
    await gateway.upload({ bytes, fileName: 'wordcount.tgz' });
    expect(await gateway.upload({ file: bundle.file })).toMatchObject({ alreadyStored: true });
    expect(await gateway.upload({ bytes, fileName: 'again.tgz' })).toEqual({
      artifactId: sha256OfBytes(bytes),
      sizeBytes: bytes.length,
      alreadyStored: true,
    });
  });

  it('downloads once for concurrent requests of one bundle', async () => {
    const { artifactId } = await gateway.upload({ file: bundle.file });
    const source = counting(gateway);
    const cache = new BundleCache({ stateDir: tempDir(), source });
    const roots = await Promise.all([1, 2, 3].map(() => cache.resolve({ artifactId })));
    expect(new Set(roots).size).toBe(1);
    expect(source.downloads).toBe(1);
  });

  it('refuses bytes that rotted on the job manager, and keeps nothing', async () => {
    const bytes = tarball([{ path: 'package.json', content: '{"name":"rots"}' }]);
    const { artifactId } = await gateway.upload({ bytes, fileName: 'rot.tgz' });
    const rotted = Buffer.from(bytes);
    rotted[20] ^= 0xff;
    writeFileSync(server.store.pathOf(artifactId), rotted);

    const stateDir = tempDir();
    const cache = new BundleCache({ stateDir, source: gateway });
    await expect(cache.resolve({ artifactId })).rejects.toThrow(
      new RegExp(`bundle ${artifactId} was refused as downloaded: the bytes have sha256`),
    );
    expect(readdirSync(join(stateDir, 'bundles'), { recursive: true })).toEqual(['incoming']);
  });

  it('refuses a hostile bundle served by the job manager, naming the entry, and writes nothing outside', async () => {
    const { artifactId } = await gateway.upload({
      bytes: tarball([
        { path: 'package.json', content: '{}' },
        { path: '../../../evil', content: 'x' },
      ]),
      fileName: 'evil.tgz',
    });
    const outer = tempDir();
    const cache = new BundleCache({ stateDir: join(outer, 'state'), source: gateway });
    const refused = cache.resolve({ artifactId });
    await expect(refused).rejects.toThrow(InvalidArgumentError);
    await expect(refused).rejects.toThrow('entry "../../../evil" climbs out of the bundle folder');
    expect(readdirSync(outer, { recursive: true }).sort()).toEqual([
      'state',
      'state/bundles',
      'state/bundles/incoming',
    ]);
  });

  it('turns NOT_FOUND of an unknown id into NotFoundError naming the job manager', async () => {
    const unknown = sha256OfBytes(Buffer.from('never uploaded'));
    const cache = new BundleCache({ stateDir: tempDir(), source: gateway });
    const missing = cache.resolve({ artifactId: unknown });
    await expect(missing).rejects.toThrow(NotFoundError);
    await expect(missing).rejects.toThrow(
      `job manager at ${server.address}: artifact ${unknown} is not stored on this job manager`,
    );
  });
});
