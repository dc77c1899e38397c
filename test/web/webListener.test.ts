/**
 * Where the dashboard listens: with the control plane's certificate it serves HTTPS (and a browser
 * trusting the CA gets the page over it); like the gRPC listener, a non-loopback --web-listen
 * without TLS and tokens is refused before the control plane starts, naming what would secure it.
 */
import { get } from 'node:https';
import { describe, expect, it } from 'vitest';
import { startWebEndpoint } from '../../src/cli/process/webEndpoint.js';
import { createLogger } from '../../src/common/logger.js';
import { bearerTokenAuthentication } from '../../src/rpc/security/bearerTokenAuthentication.js';
import { makeTestCertificates } from '../support/certificates.js';
import { runCli } from '../support/processes.js';
import { tempDir } from '../support/tempDir.js';

describe("the dashboard's listener", () => {
  it("serves HTTPS with the control plane's certificate", async () => {
    const certificates = makeTestCertificates();
    const web = await startWebEndpoint({
      listen: { host: '127.0.0.1', port: 0 },
      security: {
        tls: { certChainPem: certificates.certPem, privateKeyPem: certificates.keyPem },
        authentication: bearerTokenAuthentication(() => undefined),
        securingFlags: '--tls-cert, --tls-key and --auth-config',
      },
      upstream: `unix:${tempDir('flotilla-web-')}/grpc.sock`,
      assetsDir: tempDir('flotilla-no-assets-'),
      maxMessageBytes: 1024 * 1024,
      logger: createLogger({ name: 'test', level: 'silent' }),
    });
    try {
      expect(web.url).toBe(`https://${web.address}/`);
      const { status, body } = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
        get(web.url, { ca: certificates.caPem }, (response) => {
          let body = '';
          response.setEncoding('utf8').on('data', (text: string) => (body += text));
          response.on('end', () => resolve({ status: response.statusCode, body }));
        }).on('error', reject);
      });
      expect(status).toBe(503);
      expect(body).toContain('npm run build');
    } finally {
      await web.close();
    }
  });

  it('refuses a non-loopback --web-listen without TLS and tokens, naming how to secure it', async () => {
    const refused = await runCli([
      'controlplane',
      '--state-dir',
      tempDir('flotilla-web-refused-'),
      '--web-listen',
      '0.0.0.0:0',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refusing to serve the dashboard on 0.0.0.0 without TLS and tokens');
    expect(refused.stderr).toContain('--tls-cert, --tls-key and --auth-config');
    expect(refused.stderr).toContain('--insecure-bind');
  }, 30_000);
});
