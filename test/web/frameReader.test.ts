/**
 * The dashboard's reading of gRPC-Web response bodies (src/web/rpc/frameReader.ts): frames come out
 * whole however the body is cut into chunks (a frame over several chunks, several frames in one),
 * the trailer frame's lines parse, and a body that ends inside a frame is an error, not a message.
 */
import { describe, expect, it } from 'vitest';
import { FrameReader, parseTrailers, TRAILER_BIT, type Frame } from '../../src/web/rpc/frameReader.js';

function frame(flag: number, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(5 + payload.length);
  bytes[0] = flag;
  new DataView(bytes.buffer).setUint32(1, payload.length);
  bytes.set(payload, 5);
  return bytes;
}

/** A reader of `body` cut into chunks of `size` bytes. */
function readerOf(body: Uint8Array, size: number): FrameReader {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < body.length; at += size) chunks.push(body.slice(at, at + size));
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks.shift();
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
  });
  return new FrameReader(stream.getReader());
}

async function readAll(reader: FrameReader): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (let next = await reader.next(); next; next = await reader.next()) frames.push(next);
  return frames;
}

describe('FrameReader', () => {
  const messages = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(300).fill(7)];
  const trailer = new TextEncoder().encode('grpc-status: 5\r\ngrpc-message: application%20%22x%22 is not known\r\n');
  const body = new Uint8Array([...messages.flatMap((message) => [...frame(0, message)]), ...frame(0x80, trailer)]);

  it.each([1, 2, 5, 7, 64, body.length])('reads whole frames from chunks of %i bytes', async (size) => {
    const frames = await readAll(readerOf(body, size));
    expect(frames.map((each) => each.flag)).toEqual([0, 0, 0, TRAILER_BIT]);
    expect(frames.slice(0, 3).map((each) => [...each.payload])).toEqual(messages.map((message) => [...message]));
    const trailers = parseTrailers(frames[3].payload);
    expect(trailers.get('grpc-status')).toBe('5');
    expect(decodeURIComponent(trailers.get('grpc-message')!)).toBe('application "x" is not known');
  });

  it('fails a body that ends inside a frame', async () => {
    await expect(readAll(readerOf(body.slice(0, 10), 3))).rejects.toThrow('ended inside a gRPC-Web frame');
  });
});
