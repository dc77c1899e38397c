/** Writes a kubeconfig file: one cluster, one user with a bearer token, one current context. */
import { writeFileSync } from 'node:fs';

/** Writes a kubeconfig for `server` (an https URL) trusting `caPem`, authenticating with `token`. */
export function writeKubeconfig(file: string, server: string, caPem: string, token: string): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'flotilla-test',
        cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
      },
    ],
    users: [{ name: 'flotilla-test', user: { token } }],
    contexts: [{ name: 'flotilla-test', context: { cluster: 'flotilla-test', user: 'flotilla-test' } }],
    'current-context': 'flotilla-test',
  };
  // JSON is YAML: every kubeconfig reader takes it.
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return file;
}
