/**
 * Follows a server stream that can be resumed (WatchApplication after a sequence, ReadDriverLog from
 * an offset): when the call breaks for a reason that may pass (the server restarting, the network),
 * it is opened again after a pause from where the last message left off, as the CLI's watch and
 * logs do. A status a retry cannot fix (NOT_FOUND, UNAUTHENTICATED, OUT_OF_RANGE, ...) ends it.
 */
import { GrpcStatusError, StatusCode } from '../rpc/GrpcStatusError.js';

/** How long to wait before opening a broken stream again. */
const RETRY_MS = 1000;

/** The statuses after which the stream is opened again. */
const TRANSIENT: ReadonlySet<number> = new Set([StatusCode.UNAVAILABLE, StatusCode.UNKNOWN, StatusCode.INTERNAL]);

/** Options of {@link followStream}. */
export interface FollowOptions<Message> {
  /** Opens the stream from where the last message left off, calling `onOpen` once the server answered. */
  open(signal: AbortSignal, onOpen: () => void): AsyncIterable<Message>;
  /** Takes one message (and records where to resume). */
  onMessage(message: Message): void;
  /** Says what happens: "connecting", "live", "reconnecting: ...", "ended", or an error that ended it. */
  onState(state: string, failed: boolean): void;
  signal: AbortSignal;
}

/** Runs until the stream ends on its own, fails for good, or `signal` aborts. */
export async function followStream<Message>(options: FollowOptions<Message>): Promise<void> {
  const { signal } = options;
  options.onState('connecting', false);
  while (!signal.aborted) {
    try {
      // Until the server answers, the state stays what it was ("reconnecting: ..." after a break).
      const onOpen = () => options.onState('live', false);
      for await (const message of options.open(signal, onOpen)) options.onMessage(message);
      options.onState('ended', false);
      return;
    } catch (error) {
      if (signal.aborted) return;
      const transient = !(error instanceof GrpcStatusError) || TRANSIENT.has(error.code);
      const text = error instanceof Error ? error.message : String(error);
      if (!transient) {
        options.onState(text, true);
        return;
      }
      options.onState(`reconnecting: ${text}`, true);
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
