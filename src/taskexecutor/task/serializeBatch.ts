/**
 * Record batches as bytes that can be transferred between threads: v8 serialization (the fastest
 * way to copy JavaScript values between Node isolates and processes) into a buffer that owns its
 * whole ArrayBuffer, so transferring it moves exactly the batch and nothing else.
 */
import { deserialize, serialize } from 'node:v8';

/** Serializes `records` into an ArrayBuffer of exactly the batch's bytes. */
export function serializeBatch(records: readonly unknown[]): ArrayBuffer {
  return ownBuffer(serialize(records));
}

/** Reads a batch serialized by {@link serializeBatch}. */
export function deserializeBatch(payload: ArrayBuffer | Uint8Array): unknown[] {
  const bytes = payload instanceof Uint8Array ? payload : new Uint8Array(payload);
  const value = deserialize(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as unknown;
  if (!Array.isArray(value)) throw new TypeError('a record batch did not deserialize to an array');
  return value;
}

/**
 * An ArrayBuffer holding exactly `bytes`: the view's own buffer when it spans all of it, else a
 * copy (a view into a pooled or larger buffer must not be transferred whole).
 */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer)
    return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}
