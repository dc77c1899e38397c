/**
 * The descriptor set that server reflection serves: our protos plus the vendored health and
 * reflection protocols, built by `npm run generate` into generated/flotilla.binpb and copied next
 * to the compiled code by `npm run build`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: Uint8Array | undefined;

/** Reads the descriptor set once per process. */
export function loadDescriptorSet(): Uint8Array {
  // This file is src/rpc/descriptors.ts, compiled to dist/src/rpc/descriptors.js; the set sits in
  // generated/ beside src/ in both trees.
  cached ??= readFileSync(fileURLToPath(new URL('../../generated/flotilla.binpb', import.meta.url)));
  return cached;
}
