/**
 * The framing of gRPC-Web (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md) on the
 * server's side: a request body is a run of frames, each a flag byte (0x00 data, 0x80 trailers;
 * bit 0x01 compressed), a 4-byte big-endian length and that many bytes; a response is data frames
 * and one closing trailer frame whose payload is HTTP/1-style header lines (`grpc-status`,
 * `grpc-message`).
 */

/** The flag of a data frame. */
export const DATA_FRAME = 0x00;
/** The flag of the trailer frame. */
export const TRAILER_FRAME = 0x80;
/** The bit of a frame's flag that marks its payload compressed. */
export const COMPRESSED_BIT = 0x01;

/** A request body that is not a run of uncompressed data frames. */
export class GrpcWebFramingError extends Error {
  override name = 'GrpcWebFramingError';
}

/** One frame: its flag byte, the length and the payload. */
export function encodeFrame(flag: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(5 + payload.length);
  frame[0] = flag;
  frame.writeUInt32BE(payload.length, 1);
  frame.set(payload, 5);
  return frame;
}

/** The trailer frame that ends a response with `code` and `message` (percent-encoded, as gRPC sends grpc-message). */
export function encodeTrailerFrame(code: number, message: string): Buffer {
  const lines = [`grpc-status: ${code}`];
  if (message !== '') lines.push(`grpc-message: ${percentEncode(message)}`);
  return encodeFrame(TRAILER_FRAME, Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1'));
}

/** The messages of a whole request body; throws {@link GrpcWebFramingError} on anything but complete uncompressed data frames. */
export function decodeDataFrames(body: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    if (body.length - at < 5) throw new GrpcWebFramingError('the request body ends inside a frame header');
    const flag = body[at];
    const length = body.readUInt32BE(at + 1);
    if (flag & COMPRESSED_BIT) throw new GrpcWebFramingError('compressed request messages are not supported');
    if (flag !== DATA_FRAME) throw new GrpcWebFramingError(`a request frame has flag 0x${flag.toString(16)}, not data`);
    if (body.length - at - 5 < length) throw new GrpcWebFramingError('the request body ends inside a message');
    messages.push(body.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  return messages;
}

/** grpc-message's encoding: UTF-8, with bytes outside printable ASCII and '%' written as %XX. */
function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
