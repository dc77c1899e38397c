/**
 * The blob server's handlers behind a real DispatcherService on 127.0.0.1:0, called with the
 * generated client: uploads are verified, downloads stream the stored bytes in chunks.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createChannel, createClient, Status, type Channel } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DispatcherServiceDefinition,
  type DispatcherServiceClient,
  type DispatcherServiceUploadArtifactRequest,
} from '../../../generated/flotilla/v1/dispatcher_service.js';
import { sha256OfBytes } from '../sha256.js';
import { startBlobServer, type BlobServer } from './testing/startBlobServer.js';

const CHUNK_BYTES = 64 * 1024;

async function* upload(
  bytes: Buffer,
  sha256 = sha256OfBytes(bytes),
): AsyncGenerator<DispatcherServiceUploadArtifactRequest> {
  yield { part: { $case: 'header', header: { sha256, sizeBytes: BigInt(bytes.length), fileName: 'b.tgz' } } };
  for (let at = 0; at < bytes.length; at += 100_000)
    yield { part: { $case: 'chunk', chunk: bytes.subarray(at, at + 100_000) } };
}

describe('blob server handlers over gRPC', () => {
  let server: BlobServer;
  let channel: Channel;
  let client: DispatcherServiceClient;

  beforeAll(async () => {
    server = await startBlobServer({ chunkBytes: CHUNK_BYTES });
    channel = createChannel(server.address);
    client = createClient(DispatcherServiceDefinition, channel);
  });
  afterAll(async () => {
    channel.close();
    await server.shutdown();
  });

  it('stores an upload and streams it back: the header, then chunks of at most the chunk size', async () => {
    const bytes = randomBytes(300 * 1024);
    const id = sha256OfBytes(bytes);
    const stored = await client.uploadArtifact(upload(bytes));
    expect(stored).toMatchObject({
      alreadyStored: false,
      artifact: { id, sizeBytes: BigInt(bytes.length), fileName: 'b.tgz' },
    });
    expect((await client.uploadArtifact(upload(bytes))).alreadyStored).toBe(true);

    const messages = [];
    for await (const message of client.downloadArtifact({ artifactId: id })) messages.push(message);
    expect(messages[0].part).toEqual({
      $case: 'header',
      header: { sha256: id, sizeBytes: BigInt(bytes.length), fileName: 'b.tgz' },
    });
    const chunks = messages
      .slice(1)
      .map((message) => (message.part?.$case === 'chunk' ? message.part.chunk : Buffer.alloc(0)));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((chunk) => chunk.length > 0 && chunk.length <= CHUNK_BYTES)).toBe(true);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });

  it('answers NOT_FOUND for an unknown id, saying to upload it first', async () => {
    const unknown = sha256OfBytes(Buffer.from('never uploaded'));
    await expect(client.downloadArtifact({ artifactId: unknown })[Symbol.asyncIterator]().next()).rejects.toMatchObject(
      {
        code: Status.NOT_FOUND,
        details: expect.stringContaining(
          `artifact ${unknown} is not stored on this job manager; upload the bundle to it (UploadArtifact)`,
        ),
      },
    );
  });

  it('answers INVALID_ARGUMENT for an id that is not 64 hex characters', async () => {
    for (const artifactId of ['../../etc/passwd', 'ABC', 'a'.repeat(63)]) {
      await expect(client.downloadArtifact({ artifactId })[Symbol.asyncIterator]().next()).rejects.toMatchObject({
        code: Status.INVALID_ARGUMENT,
        details: expect.stringContaining('is not a lowercase hex sha256'),
      });
    }
  });

  it('refuses a corrupt upload or one without a header with INVALID_ARGUMENT and stores nothing', async () => {
    const before = readdirSync(server.root, { recursive: true });
    const bytes = Buffer.from('the real bytes');
    await expect(client.uploadArtifact(upload(bytes, sha256OfBytes(Buffer.from('other'))))).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('not the declared'),
    });
    async function* headless(): AsyncGenerator<DispatcherServiceUploadArtifactRequest> {
      yield { part: { $case: 'chunk', chunk: bytes } };
    }
    await expect(client.uploadArtifact(headless())).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('header'),
    });
    expect(readdirSync(server.root, { recursive: true })).toEqual(before);
  });

  it('ends a download the client cancels before all bytes are sent', async () => {
    const bytes = randomBytes(2 * 1024 * 1024);
    const id = sha256OfBytes(bytes);
    await client.uploadArtifact(upload(bytes));
    const controller = new AbortController();
    let received = 0;
    await expect(
      (async () => {
        for await (const message of client.downloadArtifact({ artifactId: id }, { signal: controller.signal })) {
          if (message.part?.$case === 'chunk') received += message.part.chunk.length;
          controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(received).toBeLessThan(bytes.length);
  });
});
