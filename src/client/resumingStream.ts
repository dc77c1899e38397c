/**
 * A server stream that outlives broken connections: when it fails with UNAVAILABLE or the control
 * plane cannot be reached (it restarted, the network blinked), a new one is opened, and the caller's
 * `open` asks from where the last one got to. Other failures are rethrown as domain errors.
 */
import { UnavailableError } from '../common/errors.js';
import type { ControlPlaneConnection } from './controlPlaneClient.js';
import { ControlPlaneUnreachableError, rethrowGrpcError } from './errors.js';

/** Options of {@link resumingStream}. */
export interface ResumingStreamOptions {
  /** How long to keep trying while nothing arrives, in milliseconds (default 60 s). */
  reconnectForMs?: number;
  /** Called before each new attempt. */
  onReconnect?: (error: Error) => void;
  signal?: AbortSignal;
}

/** Yields what the streams `open` opens yield, opening another after each lost connection, until one ends. */
export async function* resumingStream<T>(
  connection: ControlPlaneConnection,
  open: () => AsyncIterable<T>,
  options: ResumingStreamOptions = {},
): AsyncGenerator<T> {
  let lostSince: number | undefined;
  for (;;) {
    try {
      for await (const item of open()) {
        lostSince = undefined;
        yield item;
      }
      return;
    } catch (error) {
      const lost = asDomainError(error, connection.address);
      if (
        !(lost instanceof UnavailableError || lost instanceof ControlPlaneUnreachableError) ||
        options.signal?.aborted
      )
        throw lost;
      lostSince ??= Date.now();
      if (Date.now() - lostSince > (options.reconnectForMs ?? 60_000)) throw lost;
      options.onReconnect?.(lost);
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
