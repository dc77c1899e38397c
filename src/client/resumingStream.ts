/**
 * A server stream that outlives broken connections and lost replicas: when it fails with
 * UNAVAILABLE or its replica cannot be reached (it restarted or died, the network blinked), a new
 * one is opened, on the next replica the caller named when there are several, and the caller's
 * `open` asks from where the last one got to (a watch's sequence, a log's offset), so nothing is
 * repeated or skipped. Other failures are rethrown as domain errors.
 */
import { UnavailableError } from '../common/errors.js';
import type { ControlPlaneConnection } from './controlPlaneClient.js';
import { ControlPlaneUnreachableError, rethrowGrpcError } from './errors.js';

/** Options of {@link resumingStream}. */
export interface ResumingStreamOptions {
  /** How long to keep trying while nothing arrives, in milliseconds (default 60 s). */
  reconnectForMs?: number;
  /** Called before each new attempt, once the connection moved to the replica it goes to. */
  onReconnect?: (error: Error) => void;
  signal?: AbortSignal;
}

/** The pause before trying again once every replica failed since the stream last moved on. */
const RETRY_PAUSE_MS = 500;

/** Yields what the streams `open` opens yield, opening another after each lost connection, until one ends. */
export async function* resumingStream<T>(
  connection: ControlPlaneConnection,
  open: () => AsyncIterable<T>,
  options: ResumingStreamOptions = {},
): AsyncGenerator<T> {
  let lostSince: number | undefined;
  // Replicas that failed since the stream last yielded: another one is tried at once, until each has been.
  let failedInARow = 0;
  for (;;) {
    const address = connection.address;
    try {
      for await (const item of open()) {
        lostSince = undefined;
        failedInARow = 0;
        yield item;
      }
      return;
    } catch (error) {
      const lost = asDomainError(error, address);
      if (
        !(lost instanceof UnavailableError || lost instanceof ControlPlaneUnreachableError) ||
        options.signal?.aborted
      )
        throw lost;
      lostSince ??= Date.now();
      if (Date.now() - lostSince > (options.reconnectForMs ?? 60_000)) throw lost;
      connection.replicaFailed(address, error);
      options.onReconnect?.(lost);
      failedInARow++;
      if (failedInARow >= connection.addresses.length) {
        failedInARow = 0;
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
      }
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
