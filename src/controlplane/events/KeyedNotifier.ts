/**
 * Wakes the readers waiting on one key (an application's event log, its driver log) when something
 * new arrives for it. A reader that waits again and again (a watch that follows) subscribes once
 * ({@link KeyedNotifier.subscribe}) and so listens to its call's signal once for its whole life,
 * not once per wake-up: with 10,000 followers of one application, every event would otherwise add
 * and remove 10,000 abort listeners. A reader whose client went away holds nothing.
 */
import { AbortError } from 'abort-controller-x';

/** One reader's wake-ups on one key; {@link KeyedSubscription.close} once it stops reading. */
export interface KeyedSubscription {
  /** Resolves at the next notify of the key after this call; rejects with an AbortError once the signal aborts. */
  next(): Promise<void>;
  /** Stops listening to the key and the signal; a pending {@link next} stays pending. */
  close(): void;
}

/** One-shot wake-ups per key, renewed at each wait. */
export class KeyedNotifier {
  /** The readers that wait on each key now; a key leaves once nobody waits on it. */
  private readonly waiters = new Map<string, Set<Subscription>>();

  /** How many readers wait on `key` now. */
  waiting(key: string): number {
    return this.waiters.get(key)?.size ?? 0;
  }

  /** Wakes every reader that waits on `key` now. */
  notify(key: string): void {
    const waiting = this.waiters.get(key);
    if (!waiting) return;
    this.waiters.delete(key);
    for (const subscription of waiting) subscription.wake();
  }

  /** Wakes every reader of every key. */
  notifyAll(): void {
    for (const key of [...this.waiters.keys()]) this.notify(key);
  }

  /** Resolves at the next {@link notify} of `key`; rejects with an AbortError once `signal` aborts. */
  async wait(key: string, signal?: AbortSignal): Promise<void> {
    const subscription = this.subscribe(key, signal);
    try {
      await subscription.next();
    } finally {
      subscription.close();
    }
  }

  /** A reader's wake-ups on `key` until it closes them, listening to `signal` once. */
  subscribe(key: string, signal?: AbortSignal): KeyedSubscription {
    return new Subscription(this, key, signal);
  }

  /** @internal */
  add(key: string, subscription: Subscription): void {
    let waiting = this.waiters.get(key);
    if (!waiting) this.waiters.set(key, (waiting = new Set()));
    waiting.add(subscription);
  }

  /** @internal */
  remove(key: string, subscription: Subscription): void {
    const waiting = this.waiters.get(key);
    if (!waiting?.delete(subscription)) return;
    if (waiting.size === 0) this.waiters.delete(key);
  }
}

class Subscription implements KeyedSubscription {
  private resolve?: () => void;
  private reject?: (error: Error) => void;
  private readonly onAbort = (): void => {
    this.notifier.remove(this.key, this);
    const reject = this.reject;
    this.resolve = this.reject = undefined;
    reject?.(new AbortError());
  };

  constructor(
    private readonly notifier: KeyedNotifier,
    private readonly key: string,
    private readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  next(): Promise<void> {
    if (this.signal?.aborted) return Promise.reject(new AbortError());
    return new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      this.notifier.add(this.key, this);
    });
  }

  /** Called by the notifier, which has already forgotten this waiter. */
  wake(): void {
    const resolve = this.resolve;
    this.resolve = this.reject = undefined;
    resolve?.();
  }

  close(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    this.notifier.remove(this.key, this);
  }
}
