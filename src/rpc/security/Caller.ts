/**
 * Who made a call, as the server's authentication established it: the tenant its bearer token
 * belongs to (control plane with tokens), and the key its limits are counted under (the tenant, or
 * the peer's host when calls are not told apart by token). Middleware puts it in the call context;
 * handlers read it with {@link callerOf}.
 */
import type { CallContext } from 'nice-grpc-common';

/** The caller of one call. */
export interface Caller {
  /** The tenant the caller acts for; '' is the single tenant of a control plane without tokens. */
  tenant: string;
  /** What per-caller limits count under, such as "tenant team-a" or "peer 127.0.0.1". */
  key: string;
}

/** A call context that authentication has extended with its caller. */
export interface CallerContext {
  caller: Caller;
}

/** The caller of a call: the one authentication recorded, or its peer's host (the single tenant) when none did. */
export function callerOf(context: CallContext): Caller {
  return (
    (context as CallContext & Partial<CallerContext>).caller ?? { tenant: '', key: `peer ${peerHost(context.peer)}` }
  );
}

/** The host part of a call's peer ("127.0.0.1" of "ipv4:127.0.0.1:5555", "::1" of "[::1]:5555"). */
export function peerHost(peer: string): string {
  const address = peer.replace(/^(ipv4|ipv6|unix):/, '');
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(address);
  if (bracketed) return bracketed[1];
  const colon = address.lastIndexOf(':');
  return colon > 0 && address.indexOf(':') === colon ? address.slice(0, colon) : address;
}
