/**
 * A real server host with TLS, the cluster-secret authentication and a stream limit, called by real
 * clients made through channelCredentials: what every secured Flotilla server and client does.
 */
import { Status } from 'nice-grpc';
import { pino } from 'pino';
import { HealthDefinition } from 'nice-grpc-server-health';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterClientServiceDefinition } from '../../../generated/flotilla/v1/cluster_client_service.js';
import { makeTestCertificates, type TestCertificates } from '../../common/testing/certificates.js';
import { startServerHost, type HostedService, type ServerHost } from '../serverHost.js';
import { withUnimplemented } from '../testing/withUnimplemented.js';
import { connectClient } from './channelCredentials.js';
import { clusterSecretAuthentication } from './clusterSecretAuthentication.js';

const SECRET = 'a-cluster-secret-for-this-test';

describe('a server with TLS, a cluster secret and a stream limit', () => {
  let certificates: TestCertificates;
  let host: ServerHost;
  const channels: { close(): void }[] = [];
  const client = (security: Parameters<typeof connectClient>[2]) => {
    const connection = connectClient(ClusterClientServiceDefinition, host.address, security);
    channels.push(connection.channel);
    return connection.client;
  };

  beforeAll(async () => {
    certificates = makeTestCertificates(['DNS:flotilla-c1.default.svc']);
    const service = withUnimplemented(ClusterClientServiceDefinition, {
      async getArtifact(request: { artifactId: string }) {
        return { artifact: { id: request.artifactId, sizeBytes: 0n, fileName: 'x.tgz', createTime: undefined } };
      },
      async *watchApplication(_request: unknown, context: { signal: AbortSignal }) {
        await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
      },
    });
    host = await startServerHost({
      listen: { host: '127.0.0.1', port: 0 },
      logger: pino({ level: 'silent' }),
      services: [{ definition: ClusterClientServiceDefinition, implementation: service } as unknown as HostedService],
      security: {
        tls: { certChainPem: certificates.certPem, privateKeyPem: certificates.keyPem },
        authentication: clusterSecretAuthentication(SECRET, 'job manager'),
        securingFlags: '--tls-cert, --tls-key and --cluster-secret-file',
      },
      maxStreamsPerCaller: 2,
    });
  });

  afterAll(async () => {
    for (const channel of channels) channel.close();
    await host?.shutdown();
  });

  it('answers a TLS client that trusts its CA and sends the secret', async () => {
    const { artifact } = await client({ tls: { caPem: certificates.caPem }, clusterSecret: SECRET }).getArtifact({
      artifactId: 'abc',
    });
    expect(artifact?.id).toBe('abc');
  });

  it('checks the server name it is told instead of the address dialed (pods dialed by IP whose certificate names their Service)', async () => {
    const named = client({
      tls: { caPem: certificates.caPem, serverName: 'flotilla-c1.default.svc' },
      clusterSecret: SECRET,
    });
    expect((await named.getArtifact({ artifactId: 'abc' })).artifact?.id).toBe('abc');
    // 127.0.0.1, which was dialed, is in the certificate too: only the name told is checked.
    const misnamed = client({
      tls: { caPem: certificates.caPem, serverName: 'flotilla-c2.default.svc' },
      clusterSecret: SECRET,
    });
    await expect(misnamed.getArtifact({ artifactId: 'abc' })).rejects.toMatchObject({
      code: Status.UNAVAILABLE,
      details: expect.stringMatching(/flotilla-c2\.default\.svc/),
    });
  });

  it('refuses a call without the secret or with another one, with UNAUTHENTICATED', async () => {
    await expect(
      client({ tls: { caPem: certificates.caPem } }).getArtifact({ artifactId: 'abc' }),
    ).rejects.toMatchObject({
      code: Status.UNAUTHENTICATED,
      details: expect.stringContaining('accepts calls only from members of its cluster'),
    });
    await expect(
      client({ tls: { caPem: certificates.caPem }, clusterSecret: 'not-the-secret-at-all' }).getArtifact({
        artifactId: 'abc',
      }),
    ).rejects.toMatchObject({
      code: Status.UNAUTHENTICATED,
    });
  });

  it('keeps health open to callers without the secret', async () => {
    const connection = connectClient(HealthDefinition, host.address, { tls: { caPem: certificates.caPem } });
    channels.push(connection.channel);
    expect(await connection.client.check({ service: 'flotilla.v1.ClusterClientService' })).toMatchObject({ status: 1 });
  });

  it('cannot be reached in plaintext, nor by a client that does not trust its CA', async () => {
    await expect(client({ clusterSecret: SECRET }).getArtifact({ artifactId: 'abc' })).rejects.toMatchObject({
      code: Status.UNAVAILABLE,
    });
    await expect(client({ tls: {}, clusterSecret: SECRET }).getArtifact({ artifactId: 'abc' })).rejects.toMatchObject({
      code: Status.UNAVAILABLE,
      details: expect.stringMatching(/certificate/),
    });
  });

  it('lets one caller hold two streams open and refuses a third with RESOURCE_EXHAUSTED naming the limit', async () => {
    const secured = client({ tls: { caPem: certificates.caPem }, clusterSecret: SECRET });
    const controller = new AbortController();
    const watch = () =>
      secured
        .watchApplication({ applicationId: 'a', afterSequence: 0n, follow: true }, { signal: controller.signal })
        [Symbol.asyncIterator]()
        .next();
    const open = [watch().catch(() => undefined), watch().catch(() => undefined)];
    // The two calls are open once a unary call on the same connection has come back after them.
    await secured.getArtifact({ artifactId: 'abc' });
    await expect(watch()).rejects.toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      details: expect.stringContaining(
        'already has 2 streams open on this server, the most one caller may (--max-streams-per-caller 2)',
      ),
    });
    controller.abort();
    await Promise.all(open);
  });
});
