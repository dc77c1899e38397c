/**
 * The unit of the data path between tasks: one already-serialized batch of records. The network
 * stack never decodes a payload; it only counts, queues and moves batches, one per credit.
 */

/**
 * One serialized record batch (a v8-serialized array on the data path).
 *
 * `payload` may be a view into a larger buffer: a batch that came over gRPC is a Node `Buffer`
 * that can share its `ArrayBuffer` with other data (Node's buffer pool). Read it through
 * `byteOffset`/`byteLength` (`v8.deserialize(payload)` does); copy it before transferring its
 * `buffer` to a worker thread. A batch from a producer in the same process is the very object the
 * producer emitted, not a copy.
 */
export interface NetworkBatch {
  /** How many records the payload holds. */
  count: number;
  /** The encoded records. */
  payload: Uint8Array;
}
