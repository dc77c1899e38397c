import { describe, expect, it } from 'vitest';
import { formatHostPort, parseHostPort } from './address.js';

describe('parseHostPort', () => {
  it('reads host:port, [ipv6]:port and :port', () => {
    expect(parseHostPort('127.0.0.1:6180')).toEqual({ host: '127.0.0.1', port: 6180 });
    expect(parseHostPort('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseHostPort(':7000')).toEqual({ host: '127.0.0.1', port: 7000 });
    expect(formatHostPort({ host: '::1', port: 5 })).toBe('[::1]:5');
  });

  it('names the flag when the text is not an address', () => {
    expect(() => parseHostPort('localhost', '--listen')).toThrow(/--listen "localhost" is not HOST:PORT/);
    expect(() => parseHostPort('h:70000', '--listen')).toThrow(/is not HOST:PORT/);
  });
});
