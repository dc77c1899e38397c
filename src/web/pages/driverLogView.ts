/**
 * An application's driver log, following live: ReadDriverLog from offset 0 with follow, each piece
 * appended as it comes (stderr marked), resuming from the last next_offset when the stream breaks;
 * it ends when the driver's output is complete.
 */
import { LogStream } from '../../../generated/flotilla/v1/common.js';
import { h, replaceChildren } from '../ui/dom.js';
import { Methods, type Session } from '../session/Session.js';
import { followStream } from './followStream.js';

/** The log's element and the loop that fills it. */
export function driverLogView(session: Session, applicationId: string, signal: AbortSignal): HTMLElement {
  const state = h('p', { class: 'status', 'data-testid': 'log-state' });
  const output = h('pre', { class: 'driver-log', 'data-testid': 'driver-log' });
  // One decoder per stream: a UTF-8 character split across two pieces is joined again.
  const decoders = new Map<LogStream, TextDecoder>();
  let offset = 0n;
  void followStream({
    signal,
    open: (callSignal, onOpen) =>
      session.stream(Methods.readDriverLog, { applicationId, offset, follow: true }, callSignal, onOpen),
    onMessage: (piece) => {
      offset = piece.nextOffset;
      let decoder = decoders.get(piece.stream);
      if (!decoder) decoders.set(piece.stream, (decoder = new TextDecoder()));
      const text = decoder.decode(piece.data, { stream: true });
      if (text === '') return;
      const kind =
        piece.stream === LogStream.STDERR ? 'stderr' : piece.stream === LogStream.LOGGER ? 'logger' : 'stdout';
      output.append(h('span', { class: kind }, text));
      output.scrollTop = output.scrollHeight;
    },
    onState: (text, failed) => {
      replaceChildren(
        state,
        text === 'live' ? "following the driver's output" : text === 'ended' ? "end of the driver's output" : text,
      );
      state.classList.toggle('error', failed);
    },
  });
  return h('section', null, h('h3', null, 'Driver log'), state, output);
}
