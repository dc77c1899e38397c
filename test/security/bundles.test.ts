/**
 * Safe bundles (issue 7): every hostile shape of bundle is refused by the control plane at upload
 * with INVALID_ARGUMENT naming the problem, an entry the bundle does not export is refused at
 * RunApplication, and a scan of the file system around the control plane's state shows that
 * nothing was written outside its artifact store. (Task executors apply the same entry rules before
 * unpacking: src/bundle/BundleCache.test.ts.)
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createChannel, createClient, Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClusterClientServiceDefinition,
  type ClusterClientServiceClient,
  type UploadArtifactRequest,
} from '../../generated/flotilla/v1/cluster_client_service.js';
import { tarball, type TarballEntry } from '../../src/bundle/testing/tarball.js';
import { driverRequest } from '../controlplane/controlPlaneTesting.js';
import { startServer, type ServerProcess } from '../support/processes.js';
import { tempDir } from '../support/tempDir.js';

const PACKAGE: TarballEntry = {
  path: 'package.json',
  content: JSON.stringify({ name: 'hostile', type: 'module', main: 'main.js' }),
};
const MAIN: TarballEntry = { path: 'main.js', content: 'export async function main(env, args) {}\n' };
/** Names no honest bundle uses, to look for anywhere on disk afterwards. */
const MARK = `flotilla-escape-${randomBytes(4).toString('hex')}`;

/** Each hostile shape, the bytes of its .tgz, and what the refusal must say. */
const HOSTILE: Array<{ shape: string; bytes: Buffer; says: RegExp }> = [
  {
    shape: '".." in a path',
    bytes: tarball([PACKAGE, { path: `../${MARK}.txt`, content: 'x' }]),
    says: /climbs out of the bundle folder/,
  },
  {
    shape: 'an absolute path',
    bytes: tarball([PACKAGE, { path: `/tmp/${MARK}.txt`, content: 'x' }]),
    says: /absolute path/,
  },
  {
    shape: 'a symbolic link out',
    bytes: tarball([PACKAGE, { path: 'out', type: 'SymbolicLink', linkpath: `../../${MARK}` }]),
    says: /symbolic link "out" points to .* outside the bundle/,
  },
  {
    shape: 'a symbolic link, then a write through it',
    bytes: tarball([
      PACKAGE,
      { path: 'tmp', type: 'SymbolicLink', linkpath: '.' },
      { path: `tmp/${MARK}`, content: 'x' },
    ]),
    says: /goes through the symbolic link "tmp"/,
  },
  {
    shape: 'a hard link out',
    bytes: tarball([PACKAGE, { path: 'passwd', type: 'Link', linkpath: '../../../../etc/passwd' }]),
    says: /hard link "passwd" points to .* outside the bundle/,
  },
  {
    shape: 'a character device',
    bytes: tarball([PACKAGE, { path: 'null', type: 'CharacterDevice' }]),
    says: /is a character device/,
  },
  {
    shape: 'a setuid file',
    bytes: tarball([PACKAGE, { path: 'run', content: '#!/bin/sh\n', mode: 0o4755 }]),
    says: /setuid or setgid/,
  },
  {
    shape: 'more entries than the limit',
    bytes: tarball([PACKAGE, ...Array.from({ length: 60 }, (_, index) => ({ path: `f${index}.txt`, content: 'x' }))]),
    says: /more than 50 entries \(--max-bundle-entries\)/,
  },
  {
    shape: 'more unpacked bytes than the limit',
    bytes: tarball([PACKAGE, { path: 'big.bin', content: Buffer.alloc(200_000) }]),
    says: /more than 100000 bytes unpacked \(--max-bundle-unpacked-bytes\)/,
  },
  {
    shape: 'corrupt gzip',
    bytes: Buffer.concat([tarball([PACKAGE, MAIN]).subarray(0, 40), randomBytes(200)]),
    says: /not a well-formed gzipped tar/,
  },
  { shape: 'no package.json', bytes: tarball([MAIN]), says: /no package.json at its root/ },
];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function upload(client: ClusterClientServiceClient, bytes: Buffer) {
  async function* messages(): AsyncGenerator<UploadArtifactRequest> {
    yield {
      part: {
        $case: 'header',
        header: { sha256: sha256(bytes), sizeBytes: BigInt(bytes.length), fileName: 'hostile.tgz' },
      },
    };
    yield { part: { $case: 'chunk', chunk: bytes } };
  }
  return client.uploadArtifact(messages());
}

/** Every path under `root` (files, folders, links), relative to it. */
function listTree(root: string): string[] {
  return (readdirSync(root, { recursive: true }) as string[]).sort();
}

describe('hostile bundles', () => {
  let root: string;
  let stateDir: string;
  let controlPlane: ServerProcess;
  let client: ClusterClientServiceClient;
  let before: string[];

  beforeAll(async () => {
    root = tempDir('flotilla-hostile-');
    stateDir = join(root, 'state', 'deeper');
    controlPlane = await startServer('controlplane', [
      '--state-dir',
      stateDir,
      '--max-bundle-entries',
      '50',
      '--max-bundle-unpacked-bytes',
      '100000',
    ]);
    client = createClient(ClusterClientServiceDefinition, createChannel(controlPlane.address));
    before = listTree(root).filter((path) => !path.startsWith(join('state', 'deeper')));
  });

  afterAll(async () => {
    await controlPlane.stop();
  });

  for (const { shape, bytes, says } of HOSTILE) {
    it(`refuses ${shape} with INVALID_ARGUMENT naming the problem, and stores nothing`, async () => {
      await expect(upload(client, bytes)).rejects.toMatchObject({
        code: Status.INVALID_ARGUMENT,
        details: expect.stringMatching(says),
      });
      await expect(client.getArtifact({ artifactId: sha256(bytes) })).rejects.toMatchObject({ code: Status.NOT_FOUND });
      expect(readdirSync(join(stateDir, 'artifacts', 'incoming'))).toEqual([]);
    });
  }

  it('refuses at RunApplication an entry whose module or export the bundle lacks, naming what it has', async () => {
    const bytes = tarball([
      PACKAGE,
      MAIN,
      { path: 'other.mjs', content: 'export const helper = 1;\nexport default function () {}\n' },
    ]);
    const { artifact } = await upload(client, bytes);
    const request = (entry: string) => driverRequest(artifact!.id, { entry });
    await expect(client.runApplication(request('other.mjs#main'))).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('the module "other.mjs" does not export "main"; its exports: helper, default'),
    });
    await expect(client.runApplication(request('missing.js#main'))).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('the module "missing.js" (from the entry) is not a file of the bundle'),
    });
    expect((await client.listApplications({ pageSize: 0, pageToken: '', statuses: [] })).applications).toEqual([]);
  });

  it('wrote nothing outside the artifact store: around the state dir, in /tmp, or where the links pointed', () => {
    const after = listTree(root).filter((path) => !path.startsWith(join('state', 'deeper')));
    expect(after).toEqual(before);
    const outside = listTree(stateDir).filter((path) => !path.startsWith('artifacts') && path.includes(MARK));
    expect(outside).toEqual([]);
    expect(existsSync(`/tmp/${MARK}.txt`)).toBe(false);
    expect(readdirSync('/tmp').filter((name) => name.includes(MARK))).toEqual([]);
    // The store holds only the one honest bundle, its index beside it, and its own folders.
    const stored = listTree(join(stateDir, 'artifacts'))
      .filter((path) => statSync(join(stateDir, 'artifacts', path)).isFile())
      .sort();
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatch(/^sha256\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
    expect(stored[1]).toBe(`${stored[0]}.sidecar`);
  });
});
