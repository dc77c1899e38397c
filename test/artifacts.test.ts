/**
 * The control plane's artifact store over real sockets: uploads are verified, deduplicated,
 * limited in size and never leave a half-written file that counts as present.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createChannel, createClient, Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClusterClientServiceDefinition,
  type ClusterClientServiceClient,
  type UploadArtifactRequest,
} from '../generated/flotilla/v1/cluster_client_service.js';
import { tarball } from '../src/bundle/testing/tarball.js';
import { ROOT, runCli, startServer, type ServerProcess } from './support/processes.js';
import { tempDir } from './support/tempDir.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A bundle (a package.json and `padding` bytes that do not compress) as the bytes of its .tgz. */
function bundleBytes(padding: number, seed: number): Buffer {
  const noise = Buffer.alloc(padding);
  for (let i = 0, x = seed; i < padding; i++) noise[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return tarball([
    { path: 'package.json', content: JSON.stringify({ name: `bundle-${seed}`, type: 'module' }) },
    { path: 'padding.bin', content: noise },
  ]);
}

function storedFiles(stateDir: string): string[] {
  return readdirSync(join(stateDir, 'artifacts'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

/** An upload whose chunks are counted as the server pulls them. */
function countedUpload(bytes: Buffer, declared: { sha256: string; size: number }, pauseMs = 0) {
  const counter = { chunksSent: 0 };
  async function* messages(): AsyncGenerator<UploadArtifactRequest> {
    yield {
      part: {
        $case: 'header',
        header: { sha256: declared.sha256, sizeBytes: BigInt(declared.size), fileName: 'x.tgz' },
      },
    };
    for (let at = 0; at < bytes.length; at += 64 * 1024) {
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      counter.chunksSent++;
      yield { part: { $case: 'chunk', chunk: bytes.subarray(at, at + 64 * 1024) } };
    }
  }
  return { counter, messages: messages() };
}

describe('artifact store over gRPC', () => {
  let controlplane: ServerProcess;
  let client: ClusterClientServiceClient;
  const stateDir = tempDir();

  beforeAll(async () => {
    controlplane = await startServer('controlplane', [
      '--state-dir',
      stateDir,
      '--max-artifact-bytes',
      String(4 * 1024 * 1024),
    ]);
    client = createClient(ClusterClientServiceDefinition, createChannel(controlplane.address));
  });
  afterAll(async () => {
    await controlplane.stop();
  });

  it('flotilla upload of the same bundle twice sends its bytes once and prints the same id', async () => {
    const env = { FLOTILLA_CONTROLPLANE: controlplane.address };
    const first = await runCli(['upload', `${ROOT}examples/wordcount`], env);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/^uploaded \d+ bytes$/m);
    const id = first.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);

    const second = await runCli(['upload', `${ROOT}examples/wordcount`], env);
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe(id);
    expect(second.stderr).toContain('bundle already stored');
    expect(second.stderr).toContain('nothing sent');
    const stored = await client.getArtifact({ artifactId: id });
    expect(stored.artifact?.fileName).toBe('wordcount.tgz');
  });

  it('answers an upload of stored bytes without pulling its chunks', async () => {
    const bytes = bundleBytes(512 * 1024, 7);
    const declared = { sha256: sha256(bytes), size: bytes.length };
    const first = countedUpload(bytes, declared);
    expect((await client.uploadArtifact(first.messages)).alreadyStored).toBe(false);
    expect(first.counter.chunksSent).toBe(Math.ceil(bytes.length / (64 * 1024)));

    // Chunks trickle out slowly, so the test sees whether the call ends before they are all sent.
    const again = countedUpload(bytes, declared, 100);
    const response = await client.uploadArtifact(again.messages);
    expect(response.alreadyStored).toBe(true);
    expect(response.artifact?.sizeBytes).toBe(BigInt(bytes.length));
    // The server answered after the header; the client stopped sending when the call ended.
    expect(again.counter.chunksSent).toBeLessThanOrEqual(1);
  });

  it('refuses a corrupted upload with INVALID_ARGUMENT and stores nothing', async () => {
    const before = storedFiles(stateDir);
    const bytes = Buffer.from('the real bytes');
    const upload = countedUpload(bytes, { sha256: sha256(Buffer.from('other bytes')), size: bytes.length });
    await expect(client.uploadArtifact(upload.messages)).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('not the declared'),
    });
    expect(storedFiles(stateDir)).toEqual(before);
    await expect(client.getArtifact({ artifactId: sha256(Buffer.from('other bytes')) })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
    });
  });

  it('refuses an upload over --max-artifact-bytes with RESOURCE_EXHAUSTED naming the limit', async () => {
    const bytes = Buffer.alloc(5 * 1024 * 1024, 1);
    const upload = countedUpload(bytes, { sha256: sha256(bytes), size: bytes.length });
    await expect(client.uploadArtifact(upload.messages)).rejects.toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      details: expect.stringContaining(`at most ${4 * 1024 * 1024} (--max-artifact-bytes)`),
    });
  });

  it('refuses an upload without a header, and ids that are not sha256', async () => {
    async function* headless(): AsyncGenerator<UploadArtifactRequest> {
      yield { part: { $case: 'chunk', chunk: Buffer.from('x') } };
    }
    await expect(client.uploadArtifact(headless())).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('header'),
    });
    await expect(client.getArtifact({ artifactId: '../../etc/passwd' })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
    });
  });

  it('leaves nothing that counts as present when the control plane is killed mid-upload', async () => {
    const bytes = Buffer.alloc(1024 * 1024, 3);
    const id = sha256(bytes);
    const upload = countedUpload(bytes, { sha256: id, size: bytes.length }, 50);
    const outcome = client.uploadArtifact(upload.messages).then(
      () => 'completed',
      (error: unknown) => error,
    );
    await expect.poll(() => upload.counter.chunksSent).toBeGreaterThanOrEqual(3);
    await expect.poll(() => readdirSync(join(stateDir, 'artifacts', 'incoming')).length).toBe(1);
    await controlplane.stop('SIGKILL');
    expect(await outcome).toMatchObject({ code: Status.UNAVAILABLE });

    controlplane = await startServer('controlplane', ['--state-dir', stateDir]);
    client = createClient(ClusterClientServiceDefinition, createChannel(controlplane.address));
    await expect(client.getArtifact({ artifactId: id })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    expect(readdirSync(join(stateDir, 'artifacts', 'incoming'))).toEqual([]);
    expect(storedFiles(stateDir)).not.toContain(id);
  });

  it('keeps stored artifacts across a restart on the same state dir', async () => {
    const bytes = bundleBytes(100, 8);
    await client.uploadArtifact(countedUpload(bytes, { sha256: sha256(bytes), size: bytes.length }).messages);
    await controlplane.stop();
    controlplane = await startServer('controlplane', ['--state-dir', stateDir]);
    client = createClient(ClusterClientServiceDefinition, createChannel(controlplane.address));
    const { artifact } = await client.getArtifact({ artifactId: sha256(bytes) });
    expect(artifact?.sizeBytes).toBe(BigInt(bytes.length));
  });
});
