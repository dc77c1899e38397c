/**
 * The UploadArtifact handler shared by the control plane (ClusterClientService) and the job
 * manager (DispatcherService): the header is checked before any byte is read, the bytes are
 * verified by the store, and an artifact already stored is answered at once without reading them,
 * so the client stops sending when the call ends.
 */
import type { Artifact as ArtifactMessage } from '../../../generated/flotilla/v1/resources.js';
import type { ArtifactStore } from '../ArtifactStore.js';
import { toArtifactMessage } from './artifactMessages.js';
import { readUploadStream, type UploadPart } from './readUploadStream.js';

/** The response of UploadArtifact, the same in both services. */
export interface UploadArtifactResult {
  artifact: ArtifactMessage;
  alreadyStored: boolean;
}

/** Creates the UploadArtifact implementation over `store`. */
export function uploadArtifactHandler(
  store: ArtifactStore,
): (requests: AsyncIterable<UploadPart>) => Promise<UploadArtifactResult> {
  return async function uploadArtifact(requests) {
    const { declaration, chunks } = await readUploadStream(requests);
    const { artifact, alreadyStored } = await store.put(declaration, chunks);
    return { artifact: toArtifactMessage(artifact), alreadyStored };
  };
}
