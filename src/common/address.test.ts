import { describe, expect, it } from 'vitest';
import { checkDialAddress, formatHostPort, parseHostPort } from './address.js';

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

describe('checkDialAddress', () => {
  it('takes HOST:PORT with a host name or an IP address', () => {
    expect(checkDialAddress(' worker-1.example:6123 ', 'address')).toBe('worker-1.example:6123');
    expect(checkDialAddress('[::1]:5000', 'address')).toBe('[::1]:5000');
  });

  it('refuses what gRPC cannot dial, naming the field', () => {
    expect(() => checkDialAddress(':7000', 'address')).toThrow(/address ":7000" does not name a host/);
    expect(() => checkDialAddress('../../etc/passwd:1', 'address')).toThrow(/does not name a host/);
    expect(() => checkDialAddress('名前:1', 'address')).toThrow(/does not name a host/);
    expect(() => checkDialAddress('127.0.0.1:0', 'address')).toThrow(/needs the port to dial, not 0/);
    // grpc-js looks schemes up with `in`, so these would throw out of its channel's constructor.
    for (const host of ['constructor', 'toString', 'unix', 'dns']) {
      expect(() => checkDialAddress(`${host}:1`, 'producer_address')).toThrow(
        `producer_address "${host}:1": gRPC reads the host "${host}" as a URI scheme`,
      );
    }
  });
});
