/**
 * Uploads a bundle to the control plane unless it already has it: the sha256 is computed locally,
 * GetArtifact asks whether the store holds it, and only if not are the bytes streamed.
 */
import { createReadStream, statSync } from 'node:fs';
import { sha256OfFile } from '../blob/sha256.js';
import { NotFoundError } from '../common/errors.js';
import type { ControlPlaneConnection } from './controlPlaneClient.js';
import { packBundle } from './bundlePacker.js';

/** The outcome of {@link uploadBundle}. */
export interface UploadResult {
  /** The artifact id (sha256). */
  artifactId: string;
  /** The bundle's size in bytes. */
  sizeBytes: number;
  /** Whether the control plane already had it, so no byte was sent. */
  alreadyStored: boolean;
}

/** Options of {@link uploadBundle}. */
export interface UploadOptions {
  /** Called as bytes are sent, with the count so far and the total. */
  onProgress?: (sent: number, total: number) => void;
}

const CHUNK_BYTES = 1024 * 1024;

/** Packs (if needed) and uploads the bundle at `path`. */
export async function uploadBundle(
  connection: ControlPlaneConnection,
  path: string,
  options: UploadOptions = {},
): Promise<UploadResult> {
  const bundle = await packBundle(path);
  try {
    const sizeBytes = statSync(bundle.file).size;
    const artifactId = await sha256OfFile(bundle.file);
    if (await isStored(connection, artifactId)) return { artifactId, sizeBytes, alreadyStored: true };
    const response = await connection.call(
      (client) =>
        client.uploadArtifact(
          (async function* () {
            yield {
              part: {
                $case: 'header' as const,
                header: { sha256: artifactId, sizeBytes: BigInt(sizeBytes), fileName: bundle.fileName },
              },
            };
            let sent = 0;
            for await (const chunk of createReadStream(bundle.file, { highWaterMark: CHUNK_BYTES })) {
              sent += (chunk as Buffer).byteLength;
              yield { part: { $case: 'chunk' as const, chunk: chunk as Buffer } };
              options.onProgress?.(sent, sizeBytes);
            }
          })(),
        ),
      { idempotent: true },
    );
    return { artifactId, sizeBytes, alreadyStored: response.alreadyStored };
  } finally {
    bundle.cleanup();
  }
}

async function isStored(connection: ControlPlaneConnection, artifactId: string): Promise<boolean> {
  try {
    await connection.call((client) => client.getArtifact({ artifactId }), { idempotent: true });
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}
