/**
 * The test cluster's credentials, made with the `openssl` command: the API server's serving
 * certificate (a CA and a certificate for 127.0.0.1 / localhost and, as a real cluster's, for the
 * `kubernetes` Service pods reach it by: 10.96.0.1, kubernetes.default.svc), the service account key pair,
 * and a static token file with one bearer token per client. Every client is in `system:masters`:
 * the cluster is a throwaway one that only this test reaches over loopback.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestCertificates } from '../certificates.js';

/** The cluster IP of the `kubernetes` Service (the first of the API server's --service-cluster-ip-range). */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

/** The clients that get a token: the test itself and the cluster's components. */
export type ClusterClient = 'admin' | 'kube-scheduler' | 'kube-controller-manager' | 'kubelet';

/** Files and tokens of one test cluster. */
export interface ClusterCredentials {
  caFile: string;
  caPem: string;
  certFile: string;
  keyFile: string;
  serviceAccountKeyFile: string;
  serviceAccountPublicKeyFile: string;
  tokenFile: string;
  tokens: Record<ClusterClient, string>;
}

const CLIENTS: readonly ClusterClient[] = ['admin', 'kube-scheduler', 'kube-controller-manager', 'kubelet'];

/** Makes the credentials in `folder`. */
export function makeClusterCredentials(folder: string): ClusterCredentials {
  // The API server's certificate, also for the Service's address and names, which pods dial.
  const tls = makeTestCertificates([
    `IP:${KUBERNETES_SERVICE_IP}`,
    ...['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'].map(
      (name) => `DNS:${name}`,
    ),
  ]);
  const serviceAccountKeyFile = join(folder, 'service-account.key');
  const serviceAccountPublicKeyFile = join(folder, 'service-account.pub');
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl('genrsa', '-out', serviceAccountKeyFile, '2048');
  openssl('rsa', '-in', serviceAccountKeyFile, '-pubout', '-out', serviceAccountPublicKeyFile);
  const tokens = Object.fromEntries(CLIENTS.map((client) => [client, randomBytes(24).toString('hex')])) as Record<
    ClusterClient,
    string
  >;
  const tokenFile = join(folder, 'tokens.csv');
  // token,user,uid,"group1,group2"
  const user = (client: ClusterClient) => (client === 'kubelet' ? 'system:node:flotilla-node' : client);
  writeFileSync(
    tokenFile,
    CLIENTS.map((client) => `${tokens[client]},${user(client)},${client},"system:masters"\n`).join(''),
    { mode: 0o600 },
  );
  return {
    caFile: tls.caFile,
    caPem: tls.caPem,
    certFile: tls.certFile,
    keyFile: tls.keyFile,
    serviceAccountKeyFile,
    serviceAccountPublicKeyFile,
    tokenFile,
    tokens,
  };
}
