/**
 * The part of Node's `Buffer` the generated messages use when they decode and create messages
 * (`Buffer.from(bytes)`, `Buffer.alloc(0)` for bytes fields), as plain Uint8Arrays. esbuild injects
 * it into the dashboard's bundle (scripts/bundle-web.mjs), so the browser runs the same generated
 * code as the servers instead of a second generation. Base64 (only the JSON mapping uses it) is
 * not needed by the dashboard and refused.
 */
export const Buffer = {
  from(data: ArrayLike<number> | ArrayBufferLike | string): Uint8Array {
    if (typeof data === 'string') throw new Error('the dashboard does not decode base64 bytes');
    return data instanceof ArrayBuffer ? new Uint8Array(data.slice(0)) : Uint8Array.from(data as ArrayLike<number>);
  },
  alloc(size: number): Uint8Array {
    return new Uint8Array(size);
  },
};
