/** The blob server's gRPC handlers, for the services that plug them in. */
export { toArtifactHeader, toArtifactMessage } from './artifactMessages.js';
export { downloadArtifactHandler, type DownloadArtifactHandlerOptions } from './downloadArtifactHandler.js';
export { readUploadStream, type UploadPart, type UploadStream } from './readUploadStream.js';
export { uploadArtifactHandler, type UploadArtifactResult } from './uploadArtifactHandler.js';
