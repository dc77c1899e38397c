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
    throw new InvalidArgumentError(`${flag} "${text}" is not HOST:PORT (for example 127.0.0.1:6180, or port 0 for any free port)`);
  }
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

/** Formats a host and port for dialing, bracketing IPv6 hosts. */
export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Whether the host only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
