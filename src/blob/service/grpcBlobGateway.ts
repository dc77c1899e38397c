/**
 * The job manager's blob server over gRPC (DispatcherService UploadArtifact/DownloadArtifact):
 * a {@link BlobSource} for a task executor's bundle cache, and the upload a job submitter makes
 * before it submits a job that names the bundle. Failed calls come back as domain errors.
 */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ClientError } from 'nice-grpc';
import {
  DispatcherServiceDefinition,
  type DispatcherServiceClient,
  type DispatcherServiceUploadArtifactRequest,
} from '../../../generated/flotilla/v1/dispatcher_service.js';
import { checkArtifactId } from '../artifactId.js';
import { sha256OfBytes, sha256OfFile } from '../sha256.js';
import { FlotillaError } from '../../common/errors.js';
import type { BlobSource } from '../BlobSource.js';
import { toSafeNumber } from '../../rpc/longs.js';
import { connectClient } from '../../rpc/security/channelCredentials.js';
import type { ClientSecurity } from '../../rpc/security/ClientSecurity.js';
import { domainErrorOf } from '../../rpc/statusMapping.js';

/** A bundle to upload: a local `.tgz` file, or its bytes. */
export type LocalBundle = { file: string; fileName?: string } | { bytes: Uint8Array; fileName: string };

/** The outcome of an upload. */
export interface UploadedBundle {
  /** The artifact id (sha256) to name in the job's BundleReference. */
  artifactId: string;
  /** The bundle's size in bytes. */
  sizeBytes: number;
  /** Whether the job manager already held it; it then answered after the header, before the bytes. */
  alreadyStored: boolean;
}

/** Options of an upload. */
export interface UploadBundleOptions {
  /** Cancels the upload. */
  signal?: AbortSignal;
}

/** A job manager's blob server. */
export interface BlobGateway extends BlobSource {
  /** Uploads a bundle unless the job manager has it already. */
  upload(bundle: LocalBundle, options?: UploadBundleOptions): Promise<UploadedBundle>;
  /** Closes the channel. */
  close(): void;
}

/** Options of {@link grpcBlobGateway}. */
export interface GrpcBlobGatewayOptions {
  /** The size of the chunks uploaded, in bytes; 256 KiB when not given. */
  chunkBytes?: number;
  /** TLS and the cluster's secret; a plaintext client without credentials when not given. */
  security?: ClientSecurity;
}

const DEFAULT_CHUNK_BYTES = 256 * 1024;

/** Connects to the DispatcherService at `address` (HOST:PORT). */
export function grpcBlobGateway(address: string, options: GrpcBlobGatewayOptions = {}): BlobGateway {
  const { channel, client } = connectClient(DispatcherServiceDefinition, address, options.security);
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  return {
    download: (artifactId, signal) => downloadArtifact(client, address, artifactId, signal),
    upload: (bundle, uploadOptions = {}) => uploadArtifact(client, address, bundle, { ...uploadOptions, chunkBytes }),
    close: () => channel.close(),
  };
}

/**
 * Streams an artifact's bytes from DownloadArtifact, after checking that the header names the
 * artifact asked for; the byte count is checked against the header at the end.
 */
export async function* downloadArtifact(
  client: DispatcherServiceClient,
  address: string,
  artifactId: string,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  checkArtifactId(artifactId);
  let expected: number | undefined;
  let received = 0;
  try {
    for await (const message of client.downloadArtifact({ artifactId }, { signal })) {
      const part = message.part;
      if (expected === undefined) {
        if (part?.$case !== 'header' || part.header.sha256 !== artifactId) {
          throw new FlotillaError(
            `the job manager at ${address} did not start the download of ${artifactId} with its header`,
          );
        }
        expected = toSafeNumber(part.header.sizeBytes, 'size_bytes');
        continue;
      }
      if (part?.$case !== 'chunk')
        throw new FlotillaError(`the job manager at ${address} sent a second header in the download of ${artifactId}`);
      received += part.chunk.byteLength;
      if (received > expected)
        throw new FlotillaError(`the job manager at ${address} sent more than the ${expected} bytes of ${artifactId}`);
      yield part.chunk;
    }
  } catch (error) {
    throw toDomainError(error, address);
  }
  if (expected === undefined || received !== expected) {
    throw new FlotillaError(
      `the download of ${artifactId} from the job manager at ${address} ended after ${received} of ${expected ?? '?'} bytes`,
    );
  }
}

/**
 * Uploads a bundle with UploadArtifact: the sha256 is computed locally and declared in the header;
 * a job manager that holds it already answers before reading the bytes, and sending stops.
 */
export async function uploadArtifact(
  client: DispatcherServiceClient,
  address: string,
  bundle: LocalBundle,
  options: UploadBundleOptions & { chunkBytes?: number } = {},
): Promise<UploadedBundle> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const { sha256, sizeBytes, fileName, chunks } =
    'file' in bundle
      ? {
          sha256: await sha256OfFile(bundle.file),
          sizeBytes: statSync(bundle.file).size,
          fileName: bundle.fileName ?? basename(bundle.file),
          chunks: () => createReadStream(bundle.file, { highWaterMark: chunkBytes }) as AsyncIterable<Buffer>,
        }
      : {
          sha256: sha256OfBytes(bundle.bytes),
          sizeBytes: bundle.bytes.byteLength,
          fileName: bundle.fileName,
          chunks: () => slices(bundle.bytes, chunkBytes),
        };

  async function* messages(): AsyncGenerator<DispatcherServiceUploadArtifactRequest> {
    yield { part: { $case: 'header', header: { sha256, sizeBytes: BigInt(sizeBytes), fileName } } };
    for await (const chunk of chunks()) yield { part: { $case: 'chunk', chunk } };
  }
  try {
    const response = await client.uploadArtifact(messages(), { signal: options.signal });
    if (response.artifact?.id !== sha256)
      throw new FlotillaError(`the job manager at ${address} stored ${response.artifact?.id} instead of ${sha256}`);
    return { artifactId: sha256, sizeBytes, alreadyStored: response.alreadyStored };
  } catch (error) {
    throw toDomainError(error, address);
  }
}

function* slices(bytes: Uint8Array, size: number): Generator<Buffer> {
  for (let at = 0; at < bytes.byteLength; at += size) {
    yield Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.min(size, bytes.byteLength - at));
  }
}

/** A failed call as the domain error of its status, naming the job manager; other errors pass. */
function toDomainError(error: unknown, address: string): unknown {
  if (!(error instanceof ClientError)) return error;
  return domainErrorOf(error.code, `job manager at ${address}: ${error.details}`);
}
