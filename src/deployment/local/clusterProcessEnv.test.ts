import { describe, expect, it } from 'vitest';
import { CLUSTER_SECRET_ENV } from '../../rpc/security/ClientSecurity.js';
import { clusterProcessEnv } from './clusterProcessEnv.js';

describe('clusterProcessEnv', () => {
  it("takes only what running Node needs from the control plane's environment, and adds the cluster's own", () => {
    const env = clusterProcessEnv({
      work: '/clusters/c-1/work',
      clusterSecret: 'the-cluster-secret-0123456789',
      extra: { FLOTILLA_EXTRA: 'given' },
      from: {
        PATH: '/usr/bin',
        LANG: 'C.UTF-8',
        HOME: '/root',
        FLOTILLA_TOKEN: 'a-token-of-the-operator',
        FLOTILLA_TLS_CA: '/etc/ca.pem',
        FLOTILLA_CLUSTER_SECRET: 'the-secret-of-external-clusters',
        AWS_SECRET_ACCESS_KEY: 'cloud',
        NODE_OPTIONS: '--require /root/hook.js',
        FLOTILLA_LOG_LEVEL: 'debug',
      },
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
      FLOTILLA_LOG_LEVEL: 'debug',
      HOME: '/clusters/c-1/work',
      TMPDIR: '/clusters/c-1/work',
      FLOTILLA_LOG_FORMAT: 'json',
      FLOTILLA_EXTRA: 'given',
      [CLUSTER_SECRET_ENV]: 'the-cluster-secret-0123456789',
    });
  });
});
