/** Converts stored artifacts to the `Artifact` and `ArtifactHeader` messages both services send. */
import type { ArtifactHeader } from '../../../generated/flotilla/v1/common.js';
import type { Artifact as ArtifactMessage } from '../../../generated/flotilla/v1/resources.js';
import type { Artifact } from '../Artifact.js';

/** The `flotilla.v1.Artifact` message of a stored artifact. */
export function toArtifactMessage(artifact: Artifact): ArtifactMessage {
  return {
    id: artifact.id,
    sizeBytes: BigInt(artifact.sizeBytes),
    fileName: artifact.fileName,
    createTime: artifact.createdAt,
  };
}

/** The header that starts a download of a stored artifact. */
export function toArtifactHeader(artifact: Artifact): ArtifactHeader {
  return { sha256: artifact.id, sizeBytes: BigInt(artifact.sizeBytes), fileName: artifact.fileName };
}
