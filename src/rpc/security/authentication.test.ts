import { Metadata } from 'nice-grpc-common';
import { describe, expect, it } from 'vitest';
import { UnauthenticatedError } from '../../common/errors.js';
import { bearerTokenAuthentication } from './bearerTokenAuthentication.js';
import { peerHost } from './Caller.js';
import { clusterSecretAuthentication } from './clusterSecretAuthentication.js';
import { isOpenMethod } from './openMethods.js';
import { checkBindSecurity, InsecureBindError } from './ServerSecurity.js';

describe('bearerTokenAuthentication', () => {
  const tokens = bearerTokenAuthentication((token) => (token === 'token-of-team-a-1234' ? 'team-a' : undefined));

  it('names the tenant of a known token and counts its limits by tenant', () => {
    expect(tokens.authenticate(Metadata({ authorization: 'Bearer token-of-team-a-1234' }), '127.0.0.1:5')).toEqual({
      tenant: 'team-a',
      key: 'tenant team-a',
    });
  });

  it('refuses a call without a token, saying how to pass one', () => {
    expect(() => tokens.authenticate(Metadata(), '127.0.0.1:5')).toThrow(UnauthenticatedError);
    expect(() => tokens.authenticate(Metadata(), '127.0.0.1:5')).toThrow(
      /needs a bearer token: pass a token with --token or FLOTILLA_TOKEN/,
    );
  });

  it('refuses a malformed header and an unknown token', () => {
    expect(() => tokens.authenticate(Metadata({ authorization: 'Basic abc' }), 'p')).toThrow(
      /must be "Bearer <token>"/,
    );
    expect(() => tokens.authenticate(Metadata({ authorization: 'Bearer someone-elses-token' }), 'p')).toThrow(
      /not one this control plane knows/,
    );
  });
});

describe('clusterSecretAuthentication', () => {
  const secret = clusterSecretAuthentication('the-secret-of-this-cluster', 'job manager');

  it('accepts the secret and counts limits by the peer host', () => {
    expect(
      secret.authenticate(Metadata({ 'flotilla-cluster-secret': 'the-secret-of-this-cluster' }), 'ipv4:10.1.2.3:4567'),
    ).toEqual({ tenant: '', key: 'peer 10.1.2.3' });
  });

  it('refuses a missing or wrong secret', () => {
    expect(() => secret.authenticate(Metadata(), 'p')).toThrow(
      /this job manager accepts calls only from members of its cluster/,
    );
    expect(() => secret.authenticate(Metadata({ 'flotilla-cluster-secret': 'the-secret-of-another' }), 'p')).toThrow(
      /does not match this job manager's cluster secret/,
    );
  });
});

describe('peerHost', () => {
  it('drops the scheme and the port', () => {
    expect(peerHost('ipv4:127.0.0.1:5555')).toBe('127.0.0.1');
    expect(peerHost('127.0.0.1:5555')).toBe('127.0.0.1');
    expect(peerHost('[::1]:5555')).toBe('::1');
    expect(peerHost('ipv6:[::1]:5555')).toBe('::1');
  });
});

describe('isOpenMethod', () => {
  it('opens health and reflection only', () => {
    expect(isOpenMethod('/grpc.health.v1.Health/Check')).toBe(true);
    expect(isOpenMethod('/grpc.reflection.v1.ServerReflection/ServerReflectionInfo')).toBe(true);
    expect(isOpenMethod('/flotilla.v1.ClusterClientService/ListApplications')).toBe(false);
  });
});

describe('checkBindSecurity', () => {
  const tls = { certChainPem: 'c', privateKeyPem: 'k' };
  const authentication = bearerTokenAuthentication(() => undefined);
  const flags = '--tls-cert, --tls-key and --auth-config';

  it('lets any server listen on loopback', () => {
    expect(() => checkBindSecurity('127.0.0.1', undefined)).not.toThrow();
    expect(() => checkBindSecurity('::1', { securingFlags: flags })).not.toThrow();
  });

  it('refuses another address without TLS and authentication, naming the flags and --insecure-bind', () => {
    expect(() => checkBindSecurity('0.0.0.0', { securingFlags: flags })).toThrow(InsecureBindError);
    expect(() => checkBindSecurity('0.0.0.0', { securingFlags: flags })).toThrow(
      'refusing to listen on 0.0.0.0 without TLS and authentication: anyone who can reach it could call it. Secure it with --tls-cert, --tls-key and --auth-config, listen on loopback (--listen 127.0.0.1:PORT), or pass --insecure-bind to accept the risk',
    );
    expect(() => checkBindSecurity('0.0.0.0', { tls, securingFlags: flags })).toThrow(/without authentication:/);
  });

  it('allows another address with TLS and authentication, or with --insecure-bind', () => {
    expect(() => checkBindSecurity('0.0.0.0', { tls, authentication, securingFlags: flags })).not.toThrow();
    expect(() => checkBindSecurity('0.0.0.0', { insecureBind: true, securingFlags: flags })).not.toThrow();
  });
});
