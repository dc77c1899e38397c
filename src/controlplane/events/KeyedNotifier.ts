/**
 * Wakes the readers waiting on one key (an application's event log) when something new arrives
 * for it. Readers pass their call's signal, so a reader whose client went away holds nothing.
 */
import { AbortError } from 'abort-controller-x';

/** One-shot wake-ups per key, renewed at each wait. */
export class KeyedNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** How many readers wait on `key` now. */
  waiting(key: string): number {
    return this.waiters.get(key)?.size ?? 0;
  }

  /** Wakes every reader that waits on `key` now. */
  notify(key: string): void {
    const woken = this.waiters.get(key);
    if (!woken) return;
    this.waiters.delete(key);
    for (const wake of woken) wake();
  }

  /** Resolves at the next {@link notify} of `key`; rejects with an AbortError once `signal` aborts. */
  wait(key: string, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortError());
        return;
      }
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      const waiters = set;
      const onAbort = () => {
        waiters.delete(wake);
        if (waiters.size === 0 && this.waiters.get(key) === waiters) this.waiters.delete(key);
        reject(new AbortError());
      };
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
