import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArtifactStore } from '../blob/ArtifactStore.js';
import { tempDir } from '../common/testing/tempDir.js';
import { InvalidArgumentError } from '../common/errors.js';
import { tarball } from './testing/tarball.js';
import { bundleEntryChecker } from './checkBundleEntry.js';
import { checkUploadedBundle } from './checkUploadedBundle.js';
import { encodeBundleIndex } from './BundleIndex.js';
import { StoredBundleIndexes } from './StoredBundleIndexes.js';

const LIMITS = { maxEntries: 100, maxUnpackedBytes: 1024 * 1024 };
const BUNDLE = tarball([
  { path: 'package.json', content: JSON.stringify({ name: 'bundle', type: 'module', main: 'main.js' }) },
  { path: 'main.js', content: 'export async function main(env, args) {}\nexport function other() {}\n' },
]);

/** A store holding BUNDLE, uploaded with the control plane's check (which keeps its index) unless `indexed` is false. */
async function storedBundle(indexed = true): Promise<{ artifacts: ArtifactStore; id: string }> {
  const artifacts = new ArtifactStore(join(tempDir(), 'artifacts'), {
    maxArtifactBytes: 1024 * 1024,
    inspect: indexed ? async (file) => encodeBundleIndex(await checkUploadedBundle(file, LIMITS)) : undefined,
  });
  const id = createHash('sha256').update(BUNDLE).digest('hex');
  await artifacts.put(
    { sha256: id, sizeBytes: BUNDLE.length, fileName: 'b.tgz' },
    (async function* () {
      yield BUNDLE;
    })(),
  );
  return { artifacts, id };
}

/** Makes the stored archive unreadable, so that whatever a check still answers came from its index or memory. */
function spoil(artifacts: ArtifactStore, id: string): void {
  writeFileSync(artifacts.pathOf(id), 'no longer a gzipped tar');
}

describe('bundleEntryChecker', () => {
  it('refuses a module the bundle lacks from its index alone, and remembers the refusal', async () => {
    const { artifacts, id } = await storedBundle();
    const check = bundleEntryChecker(new StoredBundleIndexes(artifacts, LIMITS));
    spoil(artifacts, id);
    const refusal = 'entry "missing.js#main": the module "missing.js" (from the entry) is not a file of the bundle';
    await expect(check(id, 'missing.js#main')).rejects.toThrow(InvalidArgumentError);
    await expect(check(id, 'missing.js#main')).rejects.toThrow(refusal);
    // Twenty at once get the same answer.
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => check(id, 'missing.js#main')));
    expect(outcomes.map((outcome) => outcome.status === 'rejected' && (outcome.reason as Error).message)).toEqual(
      Array(20).fill(refusal),
    );
  });

  it("reads an ES module's exports once per entry: the same artifact and entry again is not read", async () => {
    const { artifacts, id } = await storedBundle();
    const check = bundleEntryChecker(new StoredBundleIndexes(artifacts, LIMITS));
    await check(id, '#main');
    await expect(check(id, 'main.js#missing')).rejects.toThrow(
      /entry "main.js#missing": the module "main.js" does not export "missing"; its exports: main, other/,
    );
    spoil(artifacts, id);
    await check(id, '#main');
    await expect(check(id, 'main.js#missing')).rejects.toThrow(/does not export "missing"/);
    // Another entry of the same artifact reads the module again (and the archive is spoilt now).
    await expect(check(id, 'main.js#other')).rejects.toThrow(/not a well-formed gzipped tar/);
  });

  it('indexes a bundle stored without an index once, from its archive, and keeps the index beside it', async () => {
    const { artifacts, id } = await storedBundle(false);
    expect(await artifacts.readSidecar(id)).toBeUndefined();
    const check = bundleEntryChecker(new StoredBundleIndexes(artifacts, LIMITS));
    await expect(check(id, 'missing.js')).rejects.toThrow(/is not a file of the bundle/);
    expect(await artifacts.readSidecar(id)).toBeDefined();
    // A new checker (a restarted control plane) reads the sidecar instead of the archive.
    spoil(artifacts, id);
    const again = bundleEntryChecker(new StoredBundleIndexes(artifacts, LIMITS));
    await expect(again(id, 'other.js')).rejects.toThrow(/"other.js" \(from the entry\) is not a file of the bundle/);
    expect(existsSync(artifacts.pathOf(id))).toBe(true);
  });
});
