/**
 * Calls any RPC with raw bytes as its request messages: a grpc-js client whose serializer passes
 * bytes through, so the server's decoder sees exactly what the fuzzer made (garbage included). Every
 * call has a deadline and reports the status it ended with; a call that reports none well after its
 * deadline is reported as hung instead of hanging the test.
 */
import {
  Client,
  credentials,
  Metadata,
  status as GrpcStatus,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ClientWritableStream,
  type ServiceError,
  type StatusObject,
} from '@grpc/grpc-js';
import { HANG_GRACE_MS } from './fuzzSettings.js';

/** How an RPC streams, as protobuf-es descriptors name it. */
export type MethodKind = 'unary' | 'server_streaming' | 'client_streaming' | 'bidi_streaming';

/** An RPC to call: its path (`/package.Service/Method`) and how it streams. */
export interface RawMethod {
  path: string;
  kind: MethodKind;
}

/** How a call ended. `code` is -1 when it reported no status within its deadline and the grace after it. */
export interface CallOutcome {
  code: number;
  details: string;
  /** The response messages received, undecoded. */
  responses: Uint8Array[];
}

/** What to send: the request messages (one for unary and server-streaming calls) and whether to close the sending side. */
export interface RawRequest {
  payloads: Uint8Array[];
  /** For client and bidi streams: end the request stream after the payloads (true) or leave it open until the deadline. */
  halfClose: boolean;
}

const passThrough = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const keep = (bytes: Buffer): Uint8Array => new Uint8Array(bytes);

/** A client of the server at `address` that sends and receives raw bytes; close it when done. */
export function rawClient(address: string): Client {
  return new Client(address, credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
}

/** Calls `method` with `request`; resolves with the status it ended with, never rejects. */
export function callRaw(
  client: Client,
  method: RawMethod,
  request: RawRequest,
  deadlineMs: number,
): Promise<CallOutcome> {
  const responses: Uint8Array[] = [];
  const options = { deadline: new Date(Date.now() + deadlineMs) };
  const metadata = new Metadata();
  return new Promise<CallOutcome>((resolve) => {
    let settled = false;
    let call:
      ClientReadableStream<Uint8Array> | ClientWritableStream<Uint8Array> | ClientDuplexStream<Uint8Array, Uint8Array>;
    const watchdog = setTimeout(() => {
      finish({ code: -1, details: `no status ${HANG_GRACE_MS} ms after the ${deadlineMs} ms deadline` });
      call?.cancel();
    }, deadlineMs + HANG_GRACE_MS);
    const finish = (status: { code: number; details: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      resolve({ code: status.code, details: status.details, responses });
    };
    // Unary and client-streaming calls report through their callback; the 'status' event is the same status.
    const callback = (error: ServiceError | null, response?: Uint8Array) => {
      if (response) responses.push(response);
      if (error) finish(error);
    };
    const [first = new Uint8Array()] = request.payloads;
    switch (method.kind) {
      case 'unary':
        call = client.makeUnaryRequest(method.path, passThrough, keep, first, metadata, options, callback) as never;
        break;
      case 'server_streaming':
        call = client.makeServerStreamRequest(method.path, passThrough, keep, first, metadata, options);
        break;
      case 'client_streaming':
        call = client.makeClientStreamRequest(method.path, passThrough, keep, metadata, options, callback);
        break;
      case 'bidi_streaming':
        call = client.makeBidiStreamRequest(method.path, passThrough, keep, metadata, options);
        break;
    }
    call.on('status', (status: StatusObject) => finish(status));
    if (method.kind === 'server_streaming' || method.kind === 'bidi_streaming') {
      const readable = call as ClientReadableStream<Uint8Array>;
      readable.on('data', (message: Uint8Array) => responses.push(message));
      // The status event carries the error's status; this listener only keeps the error from being unhandled.
      readable.on('error', () => undefined);
    }
    if (method.kind === 'client_streaming' || method.kind === 'bidi_streaming') {
      const writable = call as ClientWritableStream<Uint8Array>;
      writable.on('error', () => undefined);
      for (const payload of request.payloads) writable.write(payload);
      if (request.halfClose) writable.end();
    }
  });
}

/** The name of a status code, or HUNG for a call that reported none. */
export function statusName(code: number): string {
  return code === -1 ? 'HUNG' : (GrpcStatus[code] ?? `code ${code}`);
}
