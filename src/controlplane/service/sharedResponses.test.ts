import { describe, expect, it } from 'vitest';
import {
  ClusterClientServiceDefinition,
  WatchApplicationResponse,
} from '../../../generated/flotilla/v1/cluster_client_service.js';
import type { ApplicationEvent } from '../model/ApplicationEvent.js';
import { watchResponseOf, withSharedResponses } from './sharedResponses.js';

/** What nice-grpc does with a ts-proto response type before each write. */
function serialize(
  type: { encode(value: unknown): { finish(): Uint8Array }; fromPartial(value: unknown): unknown },
  value: unknown,
): Uint8Array {
  return type.encode(type.fromPartial(value)).finish();
}

const event: ApplicationEvent = {
  applicationId: 'app-1',
  sequence: 7,
  time: new Date(1_700_000_000_123),
  kind: { type: 'applicationStatusChanged', status: 'RUNNING', message: 'driver running' },
};

describe('shared WatchApplication responses', () => {
  it('are one object per event, serialized to the same bytes as an unshared response, and encoded once', () => {
    const response = watchResponseOf(event);
    expect(watchResponseOf(event)).toBe(response);
    const definition = withSharedResponses(ClusterClientServiceDefinition, ['watchApplication']);
    const type = definition.methods.watchApplication.responseType as never;
    const first = serialize(type, response);
    expect(Buffer.from(first)).toEqual(Buffer.from(serialize(WatchApplicationResponse as never, { ...response })));
    expect(serialize(type, response)).toBe(first);
    // A response that is not shared (a copy) is serialized as usual, to equal bytes.
    const copy = { ...response };
    expect(serialize(type, copy)).not.toBe(first);
    expect(Buffer.from(serialize(type, copy))).toEqual(Buffer.from(first));
    expect(WatchApplicationResponse.decode(first).event?.sequence).toBe(7n);
  });

  it('leave the other methods of the service as they are', () => {
    const definition = withSharedResponses(ClusterClientServiceDefinition, ['watchApplication']);
    expect(definition.methods.getApplication).toBe(ClusterClientServiceDefinition.methods.getApplication);
    expect(definition.fullName).toBe(ClusterClientServiceDefinition.fullName);
  });
});
