/**
 * Throwaway TLS material for tests, made with the `openssl` command in a temporary folder: a CA,
 * and a server certificate it signed that is valid for 127.0.0.1 and localhost (the addresses
 * Flotilla's processes listen on in tests and in local clusters).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './tempDir.js';

/** The files and their text. */
export interface TestCertificates {
  folder: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

/**
 * Makes a CA and a server certificate for 127.0.0.1 / localhost, valid for a day; `extraNames` are
 * more subject alternative names in openssl's spelling (`IP:10.96.0.1`, `DNS:kubernetes`).
 */
export function makeTestCertificates(extraNames: readonly string[] = []): TestCertificates {
  const folder = tempDir('flotilla-tls-');
  const file = (name: string) => join(folder, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: folder, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=Flotilla test CA',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  );
  writeFileSync(file('san.cnf'), `subjectAltName=${['IP:127.0.0.1', 'DNS:localhost', ...extraNames].join(',')}\n`);
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '1',
    '-extfile',
    'san.cnf',
  );
  const caFile = file('ca.pem');
  const certFile = file('server.pem');
  const keyFile = file('server.key');
  return {
    folder,
    caFile,
    certFile,
    keyFile,
    caPem: readFileSync(caFile, 'utf8'),
    certPem: readFileSync(certFile, 'utf8'),
    keyPem: readFileSync(keyFile, 'utf8'),
  };
}
