/**
 * TLS material for clusters across hosts, as an operator makes it with `openssl` (the README's
 * commands for real machines): a CA, and for each host a key and a certificate the CA signed whose
 * subject alternative name is the host's IP address, so that a client dialling HOST:PORT by address
 * verifies it. EC P-256 keys, valid for a day, in a temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './tempDir.js';

/** A host's certificate and key files. */
export interface HostCertificate {
  certFile: string;
  keyFile: string;
}

/** The CA and one certificate per address. */
export interface HostCertificates {
  folder: string;
  caFile: string;
  /** By IP address. */
  hosts: Record<string, HostCertificate>;
}

/** Makes a CA and a certificate for each of `addresses` (IPv4), signed by it. */
export function makeHostCertificates(addresses: readonly string[]): HostCertificates {
  const folder = tempDir('flotilla-host-tls-');
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: folder, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=Flotilla test hosts CA',
  );
  const hosts: Record<string, HostCertificate> = {};
  for (const address of addresses) {
    openssl('req', ...ec, '-keyout', `${address}.key`, '-out', `${address}.csr`, '-subj', `/CN=${address}`);
    writeFileSync(join(folder, `${address}.cnf`), `subjectAltName=IP:${address}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${address}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${address}.pem`,
      '-days',
      '1',
      '-extfile',
      `${address}.cnf`,
    );
    hosts[address] = { certFile: join(folder, `${address}.pem`), keyFile: join(folder, `${address}.key`) };
  }
  return { folder, caFile: join(folder, 'ca.pem'), hosts };
}
