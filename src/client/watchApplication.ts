/**
 * Follows an application's events from the control plane and survives a broken connection: when
 * the stream fails with UNAVAILABLE (the control plane restarted, the network blinked), it asks
 * again after the last sequence it saw, so every event arrives exactly once and in order.
 */
import type { ApplicationEvent } from '../../generated/flotilla/v1/events.js';
import { UnavailableError } from '../common/errors.js';
import type { ControlPlaneConnection } from './controlPlaneClient.js';
import { ControlPlaneUnreachableError, rethrowGrpcError } from './errors.js';

/** Options of {@link watchApplication}. */
export interface WatchOptions {
  /** Start after this sequence; 0 replays every event. */
  afterSequence?: number;
  /** Keep following until the application ends (true) or stop after the stored events (false). */
  follow: boolean;
  /** How long to keep retrying a lost connection before giving up, in milliseconds. */
  reconnectForMs?: number;
  /** Called before each reconnection attempt. */
  onReconnect?: (afterSequence: number, error: Error) => void;
  signal?: AbortSignal;
}

/** The application's events, resuming after connection losses. */
export async function* watchApplication(connection: ControlPlaneConnection, applicationId: string, options: WatchOptions): AsyncGenerator<ApplicationEvent> {
  let after = BigInt(options.afterSequence ?? 0);
  let lostSince: number | undefined;
  for (;;) {
    try {
      const stream = connection.client.watchApplication({ applicationId, afterSequence: after, follow: options.follow }, { signal: options.signal });
      for await (const { event } of stream) {
        if (!event) continue;
        lostSince = undefined;
        if (event.sequence <= after) continue;
        after = event.sequence;
        yield event;
      }
      return;
    } catch (error) {
      const lost = asDomainError(error, connection.address);
      if (!(lost instanceof UnavailableError || lost instanceof ControlPlaneUnreachableError) || options.signal?.aborted) throw lost;
      lostSince ??= Date.now();
      if (Date.now() - lostSince > (options.reconnectForMs ?? 60_000)) throw lost;
      options.onReconnect?.(Number(after), lost);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function asDomainError(error: unknown, address: string): Error {
  try {
    rethrowGrpcError(error, address);
  } catch (mapped) {
    return mapped as Error;
  }
}
