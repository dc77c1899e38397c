/**
 * A job manager's blob server alone, for tests: a DispatcherService that implements only
 * UploadArtifact and DownloadArtifact over a fresh store, on a real socket on 127.0.0.1:0.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { DispatcherServiceDefinition } from '../../../../generated/flotilla/v1/dispatcher_service.js';
import { tempDir } from '../../../common/testing/tempDir.js';
import type { ArtifactStore } from '../../ArtifactStore.js';
import { openBlobServerStore } from '../../openBlobServerStore.js';
import { startServerHost, type HostedService } from '../../../rpc/serverHost.js';
import { withUnimplemented } from '../../../rpc/testing/withUnimplemented.js';
import { downloadArtifactHandler } from '../downloadArtifactHandler.js';
import { uploadArtifactHandler } from '../uploadArtifactHandler.js';

/** A running blob server. */
export interface BlobServer {
  address: string;
  /** The store's root folder: `<stateDir>/blobs`. */
  root: string;
  store: ArtifactStore;
  shutdown(): Promise<void>;
}

/** Starts a blob server; `chunkBytes` is the download chunk size. */
export async function startBlobServer(
  options: { chunkBytes?: number; maxArtifactBytes?: number } = {},
): Promise<BlobServer> {
  const stateDir = tempDir();
  const store = openBlobServerStore(stateDir, { maxArtifactBytes: options.maxArtifactBytes });
  const service = {
    definition: DispatcherServiceDefinition,
    implementation: withUnimplemented(DispatcherServiceDefinition, {
      uploadArtifact: uploadArtifactHandler(store),
      downloadArtifact: downloadArtifactHandler(store, { chunkBytes: options.chunkBytes }),
    }),
  } as HostedService;
  const host = await startServerHost({
    listen: { host: '127.0.0.1', port: 0 },
    logger: pino({ level: 'silent' }),
    services: [service],
  });
  return { address: host.address, root: join(stateDir, 'blobs'), store, shutdown: () => host.shutdown() };
}
