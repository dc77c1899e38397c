/**
 * The dashboard's client of flotilla.v1.ClusterClientService over gRPC-Web: each call is a fetch
 * POST of one framed message to `/<service>/<Method>`, whose response body is read as it streams
 * (server-streaming methods yield each message as it arrives) and ends with a trailer frame holding
 * the status. Messages are encoded and decoded by the ts-proto code generated from proto/; the
 * bearer token, when there is one, goes as the `authorization` header, as the CLI sends it.
 */
import { FrameReader, parseTrailers, TRAILER_BIT } from './frameReader.js';
import { GrpcStatusError, StatusCode } from './GrpcStatusError.js';

/** What the client needs of a generated method definition. */
export interface MethodDefinition<Request, Response> {
  name: string;
  requestType: { encode(message: Request): { finish(): Uint8Array } };
  responseType: { decode(input: Uint8Array): Response };
}

/** What the client needs of a generated service definition. */
export interface ServiceDefinition {
  fullName: string;
}

/** Options of {@link GrpcWebClient}. */
export interface GrpcWebClientOptions {
  /** The server's origin, such as "http://127.0.0.1:8080"; the page's own when empty. */
  baseUrl: string;
  /** The bearer token to send, if any (read at each call). */
  token?: () => string | undefined;
}

/** Calls a service's methods over gRPC-Web. */
export class GrpcWebClient {
  constructor(private readonly options: GrpcWebClientOptions) {}

  /** Calls a unary method; rejects with {@link GrpcStatusError} for a status other than OK. */
  async unary<Request, Response>(
    service: ServiceDefinition,
    method: MethodDefinition<Request, Response>,
    request: Request,
    signal?: AbortSignal,
  ): Promise<Response> {
    let answer: Response | undefined;
    for await (const message of this.stream(service, method, request, signal)) answer ??= message;
    if (answer === undefined) throw new GrpcStatusError(StatusCode.INTERNAL, 'the server answered no message');
    return answer;
  }

  /**
   * Calls a server-streaming method, yielding each message as it arrives; throws
   * {@link GrpcStatusError} at the end for a status other than OK. Leaving the loop early or
   * aborting `signal` cancels the call on the server. `onOpen` is called once the server has
   * answered the call's headers (the call is open, whether or not a message follows soon).
   */
  async *stream<Request, Response>(
    service: ServiceDefinition,
    method: MethodDefinition<Request, Response>,
    request: Request,
    signal?: AbortSignal,
    onOpen?: () => void,
  ): AsyncGenerator<Response> {
    const message = method.requestType.encode(request).finish();
    const body = new Uint8Array(5 + message.length);
    new DataView(body.buffer).setUint32(1, message.length);
    body.set(message, 5);
    const headers: Record<string, string> = {
      'content-type': 'application/grpc-web+proto',
      accept: 'application/grpc-web+proto',
      'x-grpc-web': '1',
    };
    const token = this.options.token?.();
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${this.options.baseUrl}/${service.fullName}/${method.name}`, {
      method: 'POST',
      headers,
      body,
      signal,
    });
    if (!response.ok || response.body === null) {
      const text = await response.text();
      throw new GrpcStatusError(StatusCode.UNAVAILABLE, `HTTP ${response.status} from the server: ${text.trim()}`);
    }
    onOpen?.();
    const frames = new FrameReader(response.body.getReader());
    let trailers: Map<string, string> | undefined;
    try {
      for (let frame = await frames.next(); frame; frame = await frames.next()) {
        if (frame.flag & TRAILER_BIT) {
          trailers = parseTrailers(frame.payload);
          break;
        }
        yield method.responseType.decode(frame.payload);
      }
    } finally {
      // Left early (break, return, an error): stop reading, which ends the call on the server.
      if (trailers === undefined) await frames.cancel().catch(() => undefined);
    }
    const code = Number(trailers?.get('grpc-status') ?? response.headers.get('grpc-status') ?? NaN);
    if (Number.isNaN(code)) throw new GrpcStatusError(StatusCode.INTERNAL, 'the response ended without a status');
    if (code !== StatusCode.OK)
      throw new GrpcStatusError(code, decodeURIComponentSafe(trailers?.get('grpc-message') ?? ''));
  }
}

/** grpc-message's percent-encoding undone; the raw text when it is not valid encoding. */
function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
