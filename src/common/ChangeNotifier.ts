/**
 * Wakes up readers that wait for something new (an event, a piece of output). Readers that wait
 * pass their call's signal: a reader whose client went away stops waiting and holds nothing.
 */
import { AbortError } from 'abort-controller-x';

/** A one-shot wake-up for every current waiter, renewed at each wait. */
export class ChangeNotifier {
  private readonly waiters = new Set<() => void>();

  /** How many readers wait now. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Wakes every reader that waits now. */
  notify(): void {
    const woken = [...this.waiters];
    this.waiters.clear();
    for (const wake of woken) wake();
  }

  /** Resolves at the next {@link notify}; rejects with an AbortError once `signal` aborts. */
  wait(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortError());
        return;
      }
      const onAbort = () => {
        this.waiters.delete(wake);
        reject(new AbortError());
      };
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
