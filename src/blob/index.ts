/** Content-addressed artifact storage shared by the control plane and the job manager. */
export type { Artifact, ArtifactDeclaration } from './Artifact.js';
export { checkArtifactId, isArtifactId } from './artifactId.js';
export type { ArtifactRecords } from './ArtifactRecords.js';
export { ArtifactStore, type ArtifactStoreOptions, type ReadArtifactOptions } from './ArtifactStore.js';
export { MemoryArtifactIndex } from './MemoryArtifactIndex.js';
export { BLOB_SERVER_DEFAULTS, openBlobServerStore, type BlobServerStoreOptions } from './openBlobServerStore.js';
export { sha256OfBytes, sha256OfFile } from './sha256.js';
export { writeVerifiedFile, type ExpectedContent, type WriteVerifiedOptions } from './writeVerifiedFile.js';
