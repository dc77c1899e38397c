/**
 * A local cluster's TLS files: a certificate and key of its own from the clusters' CA, and that CA
 * as the only one its processes trust, in `work/tls/` readable only by the cluster's user, handed
 * to every process as `--tls-cert`, `--tls-key` and `--tls-ca`.
 */
import { join } from 'node:path';
import type { ClusterCertificateAuthority } from './ClusterCertificateAuthority.js';
import { makePrivateFolder, writePrivateFile } from './clusterFolder.js';
import type { ClusterIdentity } from './clusterUsers.js';

/** Issues the cluster its certificate and writes the files into its (not yet handed over) work folder; resolves to the processes' TLS flags. */
export async function writeClusterTls(
  ca: ClusterCertificateAuthority,
  clusterId: string,
  work: string,
  identity: ClusterIdentity | undefined,
): Promise<string[]> {
  const issued = await ca.issue(clusterId);
  const folder = join(work, 'tls');
  makePrivateFolder(folder, identity);
  const file = (name: string, text: string) => {
    writePrivateFile(join(folder, name), text, identity);
    return join(folder, name);
  };
  return [
    '--tls-cert',
    file('cluster.pem', issued.certPem),
    '--tls-key',
    file('cluster.key', issued.keyPem),
    '--tls-ca',
    file('ca.pem', ca.caPem),
  ];
}
