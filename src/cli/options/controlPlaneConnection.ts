/**
 * Opens the connection a client verb talks over, from its common options: `--controlplane` (one
 * address, or the replicas of one control plane separated by commas), and
 * `--tls-ca` / `--token` (or FLOTILLA_TLS_CA / FLOTILLA_TOKEN) for a control plane that speaks TLS
 * and asks for a bearer token.
 */
import { controlPlaneAddresses } from '../../client/controlPlaneAddresses.js';
import { connectControlPlane, type ControlPlaneConnection } from '../../client/controlPlaneClient.js';
import type { ClientSecurity } from '../../rpc/security/ClientSecurity.js';
import { UsageError, type ParsedCommandLine } from './args.js';
import { readOptionFile } from './optionValues.js';

/** Connects to the control plane the verb's options name, with their TLS CA and token. */
export function connectFromOptions(options: ParsedCommandLine['options']): ControlPlaneConnection {
  const text = options.controlplane as string;
  let addresses: string[];
  try {
    addresses = controlPlaneAddresses(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return connectControlPlane(addresses, clientSecurityOf(options));
}

/** The TLS and token settings of a client verb's options. */
export function clientSecurityOf(options: ParsedCommandLine['options']): ClientSecurity {
  const caFile = options['tls-ca'] as string | undefined;
  const token = (options.token as string | undefined)?.trim();
  return {
    tls: caFile ? { caPem: readPemFile(caFile, '--tls-ca') } : undefined,
    bearerToken: token || undefined,
  };
}

/** The text of a PEM file named by `flag`; a usage error naming the flag when it cannot be read or holds no PEM. */
export function readPemFile(file: string, flag: string): string {
  const text = readOptionFile(file, flag);
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(text))
    throw new UsageError(`${flag} ${file} holds no PEM block ("-----BEGIN ...-----")`);
  return text;
}
