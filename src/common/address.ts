/** Parsing of the `HOST:PORT` addresses every process listens on and every client dials. */
import { InvalidArgumentError } from './errors.js';

/** A host and a port; port 0 asks the system for a free one. */
export interface HostPort {
  host: string;
  port: number;
}

/** Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (loopback); throws {@link InvalidArgumentError} naming the flag. */
export function parseHostPort(text: string, flag = 'address'): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new InvalidArgumentError(
      `${flag} "${text}" is not HOST:PORT (for example 127.0.0.1:6180, or port 0 for any free port)`,
    );
  }
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

/**
 * Host names that grpc-js reads as a URI scheme when it dials `HOST:PORT`: its resolvers' schemes,
 * and the names every object inherits (it looks schemes up with `in`, so `constructor:1` throws a
 * TypeError out of the channel's constructor).
 */
const SCHEME_LIKE_HOSTS = new Set([
  'dns',
  'ipv4',
  'ipv6',
  'unix',
  'unix-abstract',
  'vsock',
  ...Object.getOwnPropertyNames(Object.prototype),
]);

/**
 * Checks an address that a server dials because a caller named it (a task executor registering, a
 * producer in a task deployment, a job manager): `HOST:PORT` with an explicit host name or IP
 * address and a port other than 0, which gRPC can dial. Returns it trimmed; anything else is
 * {@link InvalidArgumentError} naming `field`.
 */
export function checkDialAddress(text: string, field: string): string {
  const { host, port } = parseHostPort(text, field);
  const trimmed = text.trim();
  const bracketed = trimmed.startsWith('[');
  if (trimmed.startsWith(':') || (!bracketed && !/^[A-Za-z0-9._-]+$/.test(host))) {
    throw new InvalidArgumentError(
      `${field} "${text}" does not name a host: write HOST:PORT with a host name or an IP address`,
    );
  }
  if (port === 0) throw new InvalidArgumentError(`${field} "${text}" needs the port to dial, not 0`);
  if (SCHEME_LIKE_HOSTS.has(host)) {
    throw new InvalidArgumentError(
      `${field} "${text}": gRPC reads the host "${host}" as a URI scheme; name the host by its IP address`,
    );
  }
  return trimmed;
}

/** Formats a host and port for dialing, bracketing IPv6 hosts. */
export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Whether the host only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
