/**
 * The types of what the generated messages expect of Node (they are generated with env=node, for
 * the servers and the CLI): `Buffer` for bytes fields. In the browser, bufferShim.ts provides it.
 */
export {};

declare global {
  type Buffer = Uint8Array;
  var Buffer: {
    from(
      data: ArrayLike<number> | ArrayBufferLike | string,
      encoding?: string,
    ): Uint8Array & { toString(encoding?: string): string };
    alloc(size: number): Uint8Array;
  };
}
