/**
 * An application's event timeline: WatchApplication from the start, live, one line per event worth
 * one (the CLI's `flotilla watch` lines), resuming after the last sequence seen when the stream
 * breaks. Each event also tells the page to fetch the application and its jobs again.
 */
import { describeEvent } from '../../client/describeEvent.js';
import { h, replaceChildren } from '../ui/dom.js';
import { formatTime } from '../ui/format.js';
import { Methods, type Session } from '../session/Session.js';
import { followStream } from './followStream.js';

/** The timeline's element and the loop that fills it. */
export function eventTimeline(
  session: Session,
  applicationId: string,
  onEvent: () => void,
  signal: AbortSignal,
): HTMLElement {
  const state = h('p', { class: 'status', 'data-testid': 'timeline-state' });
  const list = h('ol', { class: 'timeline', 'data-testid': 'timeline' });
  let after = 0n;
  void followStream({
    signal,
    open: (callSignal, onOpen) =>
      session.stream(
        Methods.watchApplication,
        { applicationId, afterSequence: after, follow: true },
        callSignal,
        onOpen,
      ),
    onMessage: ({ event }) => {
      if (!event) return;
      after = event.sequence;
      const line = describeEvent(event);
      if (line !== undefined)
        list.append(
          h(
            'li',
            { 'data-sequence': String(event.sequence) },
            h('span', { class: 'time' }, formatTime(event.time)),
            ` #${event.sequence} `,
            line,
          ),
        );
      onEvent();
    },
    onState: (text, failed) => {
      replaceChildren(
        state,
        text === 'live'
          ? 'live: events appear as they happen'
          : text === 'ended'
            ? 'the application ended; no more events'
            : text,
      );
      state.classList.toggle('error', failed);
    },
  });
  return h('section', null, h('h3', null, 'Events'), state, list);
}
