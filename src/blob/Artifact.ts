/** What the blob stores of the control plane and the job manager hold, and what a client declares. */

/** A stored artifact. */
export interface Artifact {
  /** The lowercase hex sha256 of the bytes. */
  id: string;
  /** The size in bytes. */
  sizeBytes: number;
  /** The file name given at the first upload, for display; empty when it is not known. */
  fileName: string;
  /** When it was first stored. */
  createdAt: Date;
}

/** What a client declares before sending an artifact's bytes. */
export interface ArtifactDeclaration {
  sha256: string;
  sizeBytes: number;
  fileName: string;
}
