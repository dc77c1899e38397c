/**
 * Where the control plane's components publish their {@link ControlPlaneEvent}s and the wiring
 * subscribes to them. Delivery is synchronous, in the order of subscription, and a handler's
 * error reaches the publisher: an event published inside a transaction is handled inside it, and
 * a failing handler rolls it back, as a direct call would.
 */
import type { ControlPlaneEvent, ControlPlaneEventOf } from './ControlPlaneEvent.js';

/** Publishes events; what a component that only tells others needs. */
export interface ControlPlaneEventPublisher {
  publish(event: ControlPlaneEvent): void;
}

type Handler<T extends ControlPlaneEvent['type']> = (event: ControlPlaneEventOf<T>) => void;

/** The control plane's typed event publisher. */
export class ControlPlaneEvents implements ControlPlaneEventPublisher {
  // Keyed by type: a handler in a type's list only ever gets events of that type.
  private readonly handlers = new Map<ControlPlaneEvent['type'], ((event: ControlPlaneEvent) => void)[]>();

  /** Calls `handler` with every later event of `type`. */
  on<T extends ControlPlaneEvent['type']>(type: T, handler: Handler<T>): void {
    const handlers = this.handlers.get(type) ?? [];
    handlers.push(handler as (event: ControlPlaneEvent) => void);
    this.handlers.set(type, handlers);
  }

  /** Hands `event` to its type's handlers, one after the other. */
  publish(event: ControlPlaneEvent): void {
    for (const handler of this.handlers.get(event.type) ?? []) handler(event);
  }
}
