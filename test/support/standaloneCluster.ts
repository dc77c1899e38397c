/**
 * Flotilla processes started by hand on the hosts of a {@link VirtualNetwork}, as an operator starts
 * a standalone cluster on real machines: each server listens on its host's address with a
 * certificate for that address (IP SAN), trusts the hosts' CA on its own calls, and carries the
 * cluster's secret.
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { HostCertificates } from './hostCertificates.js';
import type { VirtualHost } from './networkNamespaces.js';
import { FLOTILLA_BIN, serverStarted, type ServerProcess } from './processes.js';
import { tempDir } from './tempDir.js';

/** Writes a new cluster secret to a file of its own (0600); its path. */
export function writeClusterSecret(): string {
  const file = join(tempDir('flotilla-secret-'), 'cluster-secret');
  writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  return file;
}

/** The flags that secure a cluster process on `host`: its certificate and key, the CA it trusts, the cluster's secret. */
export function clusterMemberFlags(certificates: HostCertificates, host: VirtualHost, secretFile: string): string[] {
  const own = certificates.hosts[host.address];
  return [
    '--tls-cert',
    own.certFile,
    '--tls-key',
    own.keyFile,
    '--tls-ca',
    certificates.caFile,
    '--cluster-secret-file',
    secretFile,
  ];
}

/** Starts `flotilla <verb> ...args` on `host` and waits for its `listening on` line. */
export function startOnHost(
  host: VirtualHost,
  verb: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ServerProcess> {
  return serverStarted(
    host.spawn(process.execPath, [FLOTILLA_BIN, verb, ...args], { FLOTILLA_LOG_FORMAT: 'json', ...env }),
    verb,
  );
}

/** Runs `flotilla ...args` on `host` to completion. */
export async function runCliOnHost(
  host: VirtualHost,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = host.spawn(process.execPath, [FLOTILLA_BIN, ...args], {
    FLOTILLA_LOG_FORMAT: 'json',
    FLOTILLA_CONFIG: join(tempDir('flotilla-no-config-'), 'config.json'),
    ...env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
