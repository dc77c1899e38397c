/**
 * A generic gRPC-Web bridge: takes `application/grpc-web+proto` POSTs at `/<service>/<Method>` over
 * HTTP/1.1 (what a browser's fetch can speak) and forwards each as a gRPC call, bytes unchanged, to a
 * gRPC server (in the control plane, its own server on an internal socket), so the server's
 * authentication, tenants, validation and status mapping apply as for any other client. It knows no
 * method: every call goes upstream as a stream (gRPC's wire is the same for unary and streaming
 * methods), the response's messages are written as data frames the moment they arrive, and the
 * call's status closes the response as a trailer frame. A browser that goes away cancels the call.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Client, credentials, Metadata, status as Status, type ClientDuplexStream } from '@grpc/grpc-js';
import type { Logger } from '../../common/logger.js';
import { DATA_FRAME, decodeDataFrames, encodeFrame, encodeTrailerFrame, GrpcWebFramingError } from './grpcWebFrames.js';

/** Options of {@link GrpcWebBridge}. */
export interface GrpcWebBridgeOptions {
  /** The gRPC server the calls go to, as grpc-js dials it (`unix:/path`, `127.0.0.1:6180`). */
  target: string;
  /** The services (full names) whose methods are bridged; a path of another is not the bridge's. */
  services: readonly string[];
  /** The largest message taken or passed on, in bytes. */
  maxMessageBytes: number;
  logger: Logger;
}

/** The request headers passed on as metadata: the caller's bearer token. */
const FORWARDED_HEADERS = ['authorization'] as const;

const identity = (bytes: Buffer) => bytes;

/** The bridge; one per HTTP server. */
export class GrpcWebBridge {
  private readonly client: Client;

  constructor(private readonly options: GrpcWebBridgeOptions) {
    this.client = new Client(options.target, credentials.createInsecure(), {
      'grpc.max_receive_message_length': options.maxMessageBytes,
      'grpc.max_send_message_length': options.maxMessageBytes,
    });
  }

  /** Whether `path` (the request's URL path) names a method of a bridged service. */
  handles(path: string): boolean {
    const match = /^\/([^/]+)\/[A-Za-z0-9_]+$/.exec(path);
    return match !== null && this.options.services.includes(match[1]);
  }

  /** Answers one request whose path {@link handles} accepted. */
  handle(request: IncomingMessage, response: ServerResponse, path: string): void {
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('gRPC-Web calls are POSTs\n');
      return;
    }
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim();
    if (type !== 'application/grpc-web' && type !== 'application/grpc-web+proto') {
      response
        .writeHead(415, { 'content-type': 'text/plain' })
        .end('send application/grpc-web+proto (the text encoding, grpc-web-text, is not supported)\n');
      return;
    }
    readBody(request, this.options.maxMessageBytes + 5).then(
      (body) => this.forward(request, response, path, body),
      (error: unknown) => {
        if (error instanceof BodyTooLargeError)
          answerStatus(
            response,
            Status.RESOURCE_EXHAUSTED,
            `the request is larger than ${this.options.maxMessageBytes} bytes`,
          );
        else response.destroy();
      },
    );
  }

  /** Closes the connection to the server; calls in progress end with it. */
  close(): void {
    this.client.close();
  }

  private forward(request: IncomingMessage, response: ServerResponse, path: string, body: Buffer): void {
    let messages: Buffer[];
    try {
      messages = decodeDataFrames(body);
    } catch (error) {
      if (!(error instanceof GrpcWebFramingError)) throw error;
      answerStatus(response, Status.INVALID_ARGUMENT, `the request is not gRPC-Web: ${error.message}`);
      return;
    }
    const metadata = new Metadata();
    for (const name of FORWARDED_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') metadata.set(name, value);
    }
    const call: ClientDuplexStream<Buffer, Buffer> = this.client.makeBidiStreamRequest(
      path,
      identity,
      identity,
      metadata,
    );
    let ended = false;
    // A browser that leaves (a closed page, an aborted fetch) ends the call upstream too.
    response.once('close', () => {
      if (!ended) call.cancel();
    });
    startResponse(response);
    call.on('data', (message: Buffer) => {
      if (!response.write(encodeFrame(DATA_FRAME, message))) {
        call.pause();
        response.once('drain', () => call.resume());
      }
    });
    // Every status, OK or not, arrives here; the 'error' event repeats the non-OK ones.
    call.on('error', () => undefined);
    call.on('status', ({ code, details }) => {
      ended = true;
      if (code === Status.INTERNAL) this.options.logger.debug({ path, details }, 'gRPC-Web call ended INTERNAL');
      // grpc-js says "OK" as the details of OK; gRPC sends no message then.
      response.end(encodeTrailerFrame(code, code === Status.OK ? '' : details));
    });
    for (const message of messages) call.write(message);
    call.end();
  }
}

/** Response headers of a gRPC-Web answer; the status follows in the body's trailer frame. */
function startResponse(response: ServerResponse): void {
  response.writeHead(200, {
    'content-type': 'application/grpc-web+proto',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.flushHeaders();
}

/** A response of nothing but a status. */
function answerStatus(response: ServerResponse, code: number, message: string): void {
  startResponse(response);
  response.end(encodeTrailerFrame(code, message));
}

class BodyTooLargeError extends Error {}

/** The whole body of `request`, refusing more than `maxBytes`. */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.pause();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}
