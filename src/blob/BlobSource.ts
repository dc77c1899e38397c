/**
 * Where a task executor fetches bundles from: its job manager's blob server. Kept as an interface
 * so the bundle cache stays free of gRPC (src/blob/service/grpcBlobGateway.ts implements it).
 */

/** A source of artifacts' bytes by id. */
export interface BlobSource {
  /**
   * The bytes of the artifact `artifactId`, in chunks. Throws NotFoundError when the source does
   * not hold it; stops with an AbortError when `signal` is aborted. The bytes are not trusted: the
   * cache verifies their sha256 itself.
   */
  download(artifactId: string, signal?: AbortSignal): AsyncIterable<Uint8Array>;
}
