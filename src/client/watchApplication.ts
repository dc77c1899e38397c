/**
 * Follows an application's events from the control plane and survives a broken connection: when
 * the stream fails with UNAVAILABLE (the control plane restarted, the network blinked), it asks
 * again after the last sequence it saw, so every event arrives exactly once and in order.
 */
import type { ApplicationEvent } from '../../generated/flotilla/v1/events.js';
import type { ControlPlaneConnection } from './controlPlaneClient.js';
import { resumingStream } from './resumingStream.js';

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
export async function* watchApplication(
  connection: ControlPlaneConnection,
  applicationId: string,
  options: WatchOptions,
): AsyncGenerator<ApplicationEvent> {
  let after = BigInt(options.afterSequence ?? 0);
  const responses = resumingStream(
    connection,
    () =>
      connection.client.watchApplication(
        { applicationId, afterSequence: after, follow: options.follow },
        { signal: options.signal },
      ),
    {
      reconnectForMs: options.reconnectForMs,
      onReconnect: (error) => options.onReconnect?.(Number(after), error),
      signal: options.signal,
    },
  );
  for await (const { event } of responses) {
    if (!event || event.sequence <= after) continue;
    after = event.sequence;
    yield event;
  }
}
