import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../common/testing/tempDir.js';
import { ClusterCertificateAuthority } from './ClusterCertificateAuthority.js';

describe('ClusterCertificateAuthority', () => {
  it('is made once, its key readable only by its owner, and found again', async () => {
    const folder = join(tempDir(), 'cluster-ca');
    const ca = await ClusterCertificateAuthority.open(folder);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(join(folder, 'ca.key')).mode & 0o777).toBe(0o600);
    const certificate = new X509Certificate(ca.caPem);
    expect(certificate.ca).toBe(true);
    expect(certificate.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect((await ClusterCertificateAuthority.open(folder)).caPem).toBe(ca.caPem);
    expect(readFileSync(ca.caFile, 'utf8')).toBe(ca.caPem);
  });

  it('issues each cluster a key of its own and a certificate for 127.0.0.1 and localhost that a client trusting the CA accepts', async () => {
    const folder = join(tempDir(), 'cluster-ca');
    const ca = await ClusterCertificateAuthority.open(folder);
    const first = await ca.issue('cluster-1');
    const second = await ca.issue('cluster-2');
    expect(second.keyPem).not.toBe(first.keyPem);
    const certificate = new X509Certificate(first.certPem);
    expect(certificate.verify(new X509Certificate(ca.caPem).publicKey)).toBe(true);
    expect(certificate.checkPrivateKey(createPrivateKey(first.keyPem))).toBe(true);
    expect(certificate.ca).toBe(false);
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(certificate.checkHost('localhost')).toBe('localhost');
    expect(certificate.subject).toBe('CN=cluster-1');
    // The CA's own key goes to nobody.
    expect(first.keyPem).not.toBe(readFileSync(join(folder, 'ca.key'), 'utf8'));

    const server = createServer({ cert: first.certPem, key: first.keyPem }, (socket) => socket.end('hello'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const socket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, ca: ca.caPem });
      await once(socket, 'secureConnect');
      expect(socket.authorized).toBe(true);
      socket.destroy();
    } finally {
      server.close();
    }
  });
});
