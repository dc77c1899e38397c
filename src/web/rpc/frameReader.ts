/**
 * Reads gRPC-Web frames (a flag byte, a 4-byte big-endian length, the payload) from a response
 * body as its bytes arrive, so a server stream's messages are seen one by one while it is open.
 */

/** One frame of a response. */
export interface Frame {
  /** 0x00 for a message, 0x80 for the trailers. */
  flag: number;
  payload: Uint8Array;
}

/** The flag bit of the trailer frame. */
export const TRAILER_BIT = 0x80;

/** Frames out of a stream of bytes. */
export class FrameReader {
  private buffered = new Uint8Array(0);

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** The next frame, or undefined at the end of the body; throws when the body ends inside a frame. */
  async next(): Promise<Frame | undefined> {
    for (;;) {
      const frame = this.take();
      if (frame) return frame;
      const { done, value } = await this.reader.read();
      if (done) {
        if (this.buffered.length > 0) throw new Error('the response ended inside a gRPC-Web frame');
        return undefined;
      }
      const joined = new Uint8Array(this.buffered.length + value.length);
      joined.set(this.buffered);
      joined.set(value, this.buffered.length);
      this.buffered = joined;
    }
  }

  /** Stops reading (the body is cancelled, which ends the call on the server). */
  async cancel(): Promise<void> {
    await this.reader.cancel();
  }

  private take(): Frame | undefined {
    if (this.buffered.length < 5) return undefined;
    const view = new DataView(this.buffered.buffer, this.buffered.byteOffset, this.buffered.byteLength);
    const length = view.getUint32(1);
    if (this.buffered.length < 5 + length) return undefined;
    const frame = { flag: this.buffered[0], payload: this.buffered.slice(5, 5 + length) };
    this.buffered = this.buffered.slice(5 + length);
    return frame;
  }
}

/** The name: value lines of a trailer frame, names in lower case. */
export function parseTrailers(payload: Uint8Array): Map<string, string> {
  const trailers = new Map<string, string>();
  for (const line of new TextDecoder().decode(payload).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return trailers;
}
