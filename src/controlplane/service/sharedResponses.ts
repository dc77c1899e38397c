/**
 * Responses sent alike on many streams, built and encoded once. The watchers of one application
 * are sent the very same events (they share each store read, `events/ApplicationEventLog.ts`), so
 * a WatchApplication response is made once per event ({@link watchResponseOf}) and, when the
 * server serializes it for each stream, its bytes are encoded the first time and reused after
 * ({@link withSharedResponses}). An event sent to 10,000 watchers is then converted and encoded
 * once instead of 10,000 times; what is left per stream is gRPC's framing and the write.
 *
 * nice-grpc serializes a ts-proto response as `encode(fromPartial(value)).finish()`; for a shared
 * response `fromPartial` keeps the value (it is a complete message already) and `encode` answers
 * the bytes encoded before. Every other response is serialized as it was.
 */
import type { WatchApplicationResponse } from '../../../generated/flotilla/v1/cluster_client_service.js';
import type { ApplicationEvent } from '../model/ApplicationEvent.js';
import { applicationEventToMessage } from './eventMessages.js';

/** The bytes of each shared response, once encoded. */
const encoded = new WeakMap<object, Uint8Array>();
/** Responses that are shared (complete messages, never changed), before and after encoding. */
const shared = new WeakSet<object>();
const watchResponses = new WeakMap<ApplicationEvent, WatchApplicationResponse>();

/** The WatchApplication response of `event`, the same object for every stream that sends it. */
export function watchResponseOf(event: ApplicationEvent): WatchApplicationResponse {
  let response = watchResponses.get(event);
  if (!response) {
    response = { event: applicationEventToMessage(event) };
    shared.add(response);
    watchResponses.set(event, response);
  }
  return response;
}

interface ResponseType {
  encode(message: unknown, writer?: unknown): { finish(): Uint8Array };
  fromPartial?(value: unknown): unknown;
}

interface TsProtoMethod {
  responseType: ResponseType;
  [key: string]: unknown;
}

/** `definition` with response serializers that encode a shared response once. */
export function withSharedResponses<D extends { methods: Record<string, unknown> }>(
  definition: D,
  methodKeys: readonly (keyof D['methods'] & string)[],
): D {
  const methods: Record<string, unknown> = { ...definition.methods };
  for (const key of methodKeys) {
    const method = definition.methods[key] as TsProtoMethod;
    const { responseType } = method;
    methods[key] = {
      ...method,
      responseType: {
        ...responseType,
        fromPartial: (value: unknown) =>
          shared.has(value as object) ? value : responseType.fromPartial ? responseType.fromPartial(value) : value,
        encode(message: unknown, writer?: unknown) {
          if (writer !== undefined || !shared.has(message as object)) return responseType.encode(message, writer);
          let bytes = encoded.get(message as object);
          if (!bytes) {
            bytes = responseType.encode(message).finish();
            encoded.set(message as object, bytes);
          }
          const finished = bytes;
          return { finish: () => finished };
        },
      },
    };
  }
  return { ...definition, methods } as D;
}
