/**
 * Where the control plane's components publish their {@link ControlPlaneEvent}s and the wiring
 * subscribes to them. Delivery is synchronous, in the order of subscription, and a handler's
 * error reaches the publisher: an event published inside a transaction is handled inside it, and
 * a failing handler rolls it back, as a direct call would.
 */
import type { ControlPlaneEvent, ControlPlaneEventOf } from './ControlPlaneEvent.js';

/** Publishes events; what a component that only tells others needs. */
export interface ControlPlaneEventPublisher {
  publish(event: ControlPlaneEvent): Promise<void>;
}

type Handler<T extends ControlPlaneEvent['type']> = (event: ControlPlaneEventOf<T>) => unknown;

/** The control plane's typed event publisher. */
export class ControlPlaneEvents implements ControlPlaneEventPublisher {
  // Keyed by type: a handler in a type's list only ever gets events of that type.
  private readonly handlers = new Map<ControlPlaneEvent['type'], ((event: ControlPlaneEvent) => unknown)[]>();

  /** Calls `handler` with every later event of `type`. */
  on<T extends ControlPlaneEvent['type']>(type: T, handler: Handler<T>): void {
    const handlers = this.handlers.get(type) ?? [];
    handlers.push(handler as (event: ControlPlaneEvent) => unknown);
    this.handlers.set(type, handlers);
  }

  /**
   * Hands `event` to its type's handlers, one after the other, each awaited before the next (a
   * handler may write to the store); resolves once the last one has, and rejects with the first
   * handler's error.
   */
  publish(event: ControlPlaneEvent): Promise<void> {
    const handlers = this.handlers.get(event.type);
    if (!handlers) return Promise.resolve();
    // One handler (every event the router relays, inside its unit of work): its own promise, without
    // an async layer around it (what it resolves with is nobody's business: the type says void).
    if (handlers.length === 1) {
      try {
        return Promise.resolve(handlers[0](event)) as Promise<void>;
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    return this.publishEach(handlers, event);
  }

  private async publishEach(
    handlers: ((event: ControlPlaneEvent) => unknown)[],
    event: ControlPlaneEvent,
  ): Promise<void> {
    for (const handler of handlers) await handler(event);
  }
}
