/**
 * Wakes the readers waiting on one key (an application's event log) when something new arrives
 * for it: a {@link ChangeNotifier} per key that has readers waiting, dropped once none is left.
 * Readers pass their call's signal, so a reader whose client went away holds nothing.
 */
import { ChangeNotifier } from '../../dispatcher/ChangeNotifier.js';

/** One-shot wake-ups per key, renewed at each wait. */
export class KeyedNotifier {
  private readonly notifiers = new Map<string, ChangeNotifier>();

  /** How many readers wait on `key` now. */
  waiting(key: string): number {
    return this.notifiers.get(key)?.waiting ?? 0;
  }

  /** Wakes every reader that waits on `key` now. */
  notify(key: string): void {
    const notifier = this.notifiers.get(key);
    if (!notifier) return;
    this.notifiers.delete(key);
    notifier.notify();
  }

  /** Resolves at the next {@link notify} of `key`; rejects with an AbortError once `signal` aborts. */
  async wait(key: string, signal?: AbortSignal): Promise<void> {
    let notifier = this.notifiers.get(key);
    if (!notifier) this.notifiers.set(key, (notifier = new ChangeNotifier()));
    try {
      await notifier.wait(signal);
    } finally {
      if (notifier.waiting === 0 && this.notifiers.get(key) === notifier) this.notifiers.delete(key);
    }
  }
}
