/**
 * kube-apiserver for the test cluster, on 127.0.0.1 only: TLS with the test CA's certificate,
 * static bearer tokens, RBAC, service account tokens signed with a key made for this cluster. The
 * ServiceAccount admission plugin is off so that pods need no token controller to be admitted.
 */
import { join } from 'node:path';
import { ApiClient } from './apiClient.js';
import type { ClusterCredentials } from './credentials.js';
import { startDaemon, waitFor, type Daemon } from './daemons.js';
import { freePort } from './ports.js';

/** A running API server. */
export interface ApiServer {
  daemon: Daemon;
  /** https://127.0.0.1:PORT */
  server: string;
  /** A client with the admin token. */
  client: ApiClient;
}

/** The range cluster IPs of Services come from. */
export const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/24';

/** Starts kube-apiserver against etcd (with `extraArgs` after the usual flags) and waits until /readyz answers ok and the default namespace exists. */
export async function startApiServer(
  binary: string,
  folder: string,
  etcdUrl: string,
  credentials: ClusterCredentials,
  extraArgs: readonly string[] = [],
): Promise<ApiServer> {
  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  const daemon = startDaemon(
    'kube-apiserver',
    binary,
    [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${port}`,
      '--insecure-port=0',
      `--cert-dir=${join(folder, 'certificates')}`,
      `--tls-cert-file=${credentials.certFile}`,
      `--tls-private-key-file=${credentials.keyFile}`,
      `--token-auth-file=${credentials.tokenFile}`,
      '--authorization-mode=RBAC',
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${credentials.serviceAccountPublicKeyFile}`,
      `--service-account-signing-key-file=${credentials.serviceAccountKeyFile}`,
      '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true',
      '--profiling=false',
      '--v=1',
      ...extraArgs,
    ],
    join(folder, 'kube-apiserver.log'),
  );
  const client = new ApiClient(server, credentials.caPem, credentials.tokens.admin);
  await waitFor(
    'kube-apiserver /readyz',
    async () => ((await client.text('/readyz')) === 'ok' ? true : undefined),
    60_000,
    [daemon],
  );
  // /readyz can answer ok before the bootstrap controller has made the default namespace (a CI run
  // saw a ConfigMap refused with 'namespaces "default" not found' just after it): wait for it too.
  await waitFor(
    'the default namespace',
    async () => ((await client.text('/api/v1/namespaces/default')).length > 0 ? true : undefined),
    60_000,
    [daemon],
  );
  return { daemon, server, client };
}
