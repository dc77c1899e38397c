/**
 * Requests whose bytes do not decode are the caller's mistake, so they answer INVALID_ARGUMENT.
 * grpc-js answers a message its deserializer throws on with INTERNAL ("Error deserializing
 * request"), the code for a bug of the server. So each service's request decoders are wrapped to
 * return an {@link UndecodableRequest} instead of throwing, and a middleware turns one into
 * INVALID_ARGUMENT naming the message type and what was wrong, for single requests and for every
 * message of a request stream, before any handler sees it.
 */
import { ServerError, Status, type CallContext, type ServerMiddleware } from 'nice-grpc';

/** Stands for a request message that did not decode. */
export class UndecodableRequest {
  constructor(
    /** The RPC, as `package.Service/Method`. */
    readonly method: string,
    /** What the decoder found wrong. */
    readonly reason: string,
  ) {}

  /** The status the call ends with. */
  toServerError(): ServerError {
    return new ServerError(
      Status.INVALID_ARGUMENT,
      `a request message of ${this.method} does not decode (${this.reason}); send messages encoded from this server's protos (reflection serves them)`,
    );
  }
}

interface MessageType {
  decode(input: Uint8Array, length?: number): unknown;
}

interface TsProtoMethod {
  requestType: MessageType;
  [key: string]: unknown;
}

/** A ts-proto service definition (nice-grpc output) as far as this module needs it. */
export interface TsProtoServiceDefinition {
  fullName: string;
  methods: Record<string, TsProtoMethod>;
}

/** `definition` with request decoders that return an {@link UndecodableRequest} instead of throwing. */
export function withTolerantDecoding<D extends TsProtoServiceDefinition>(definition: D): D {
  const methods: Record<string, TsProtoMethod> = {};
  for (const [key, method] of Object.entries(definition.methods)) {
    const requestType = method.requestType;
    const name = typeof method.name === 'string' ? method.name : key;
    const path = `${definition.fullName}/${name}`;
    methods[key] = {
      ...method,
      requestType: {
        ...requestType,
        decode(input: Uint8Array, length?: number) {
          try {
            return requestType.decode(input, length);
          } catch (error) {
            return new UndecodableRequest(path, error instanceof Error ? error.message : String(error));
          }
        },
      } as MessageType,
    };
  }
  return { ...definition, methods } as D;
}

/**
 * The middleware that answers undecodable requests with INVALID_ARGUMENT. It adds no generator of
 * its own around a call with a single request: it checks the request and hands back the inner
 * call's generator, so the messages of a response stream are not re-yielded once more per stream.
 */
export const refuseUndecodableRequests: ServerMiddleware = function refuseUndecodable(call, context: CallContext) {
  if (!call.requestStream) {
    if (call.request instanceof UndecodableRequest) return refused(call.request.toServerError());
    return call.next(call.request, context);
  }
  return call.next(checkedStream(call.request as AsyncIterable<unknown>) as never, context);
};

/** A call that ends with `error` at its first step, as a generator middleware's throw would. */
async function* refused(error: ServerError): AsyncGenerator<never, never, undefined> {
  throw error;
}

async function* checkedStream(requests: AsyncIterable<unknown>): AsyncGenerator<unknown, void> {
  for await (const request of requests) {
    if (request instanceof UndecodableRequest) throw request.toServerError();
    yield request;
  }
}
