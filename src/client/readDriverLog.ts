/**
 * Reads an application's driver log from the control plane and survives a broken connection: a
 * new stream starts from the offset just past the last piece yielded, so every byte arrives
 * exactly once and in order.
 */
import type { ReadDriverLogResponse } from '../../generated/flotilla/v1/cluster_client_service.js';
import type { ControlPlaneConnection } from './controlPlaneClient.js';
import { resumingStream } from './resumingStream.js';

/** Options of {@link readDriverLog}. */
export interface ReadDriverLogOptions {
  /** The byte offset to start from; 0 is the beginning. */
  offset?: number;
  /** Keep reading new output until the application has ended (true) or stop after what is stored (false). */
  follow: boolean;
  /** How long to keep retrying a lost connection before giving up, in milliseconds. */
  reconnectForMs?: number;
  /** Called before each reconnection attempt with the offset it resumes from. */
  onReconnect?: (offset: number, error: Error) => void;
  signal?: AbortSignal;
}

/** The application's driver output, piece by piece, resuming after connection losses. */
export async function* readDriverLog(
  connection: ControlPlaneConnection,
  applicationId: string,
  options: ReadDriverLogOptions,
): AsyncGenerator<ReadDriverLogResponse> {
  let offset = BigInt(options.offset ?? 0);
  const pieces = resumingStream(
    connection,
    () =>
      connection.client.readDriverLog({ applicationId, offset, follow: options.follow }, { signal: options.signal }),
    {
      reconnectForMs: options.reconnectForMs,
      onReconnect: (error) => options.onReconnect?.(Number(offset), error),
      signal: options.signal,
    },
  );
  for await (const piece of pieces) {
    if (piece.nextOffset <= offset) continue;
    // A piece that starts before the offset (which a correct server never sends) is cut to what is new.
    const from = piece.offset < offset ? offset : piece.offset;
    offset = piece.nextOffset;
    yield { ...piece, offset: from, data: piece.data.subarray(Number(from - piece.offset)) };
  }
}
