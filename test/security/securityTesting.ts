/**
 * Helpers of the security tests: an auth config file with two tenants, and clients of a control
 * plane that present a tenant's bearer token (and trust a CA), as the CLI does.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, CompatServiceDefinition } from 'nice-grpc';
import { afterAll } from 'vitest';
import {
  ClusterClientServiceDefinition,
  type ClusterClientServiceClient,
} from '../../generated/flotilla/v1/cluster_client_service.js';
import { connectControlPlane, type ControlPlaneConnection } from '../../src/client/controlPlaneClient.js';
import { connectClient } from '../../src/rpc/security/channelCredentials.js';
import type { ClientSecurity } from '../../src/rpc/security/ClientSecurity.js';
import { tempDir } from '../support/tempDir.js';

/** Tenant A's token. */
export const TOKEN_A = 'token-of-team-a-0123456789abcdef';
/** Tenant B's token. */
export const TOKEN_B = 'token-of-team-b-0123456789abcdef';

/** Writes an auth config with tenants team-a and team-b (each with `extra` settings); resolves to its path. */
export function writeAuthConfig(extra: { a?: Record<string, unknown>; b?: Record<string, unknown> } = {}): string {
  const file = join(tempDir('flotilla-auth-'), 'auth.json');
  const tenants = [
    { name: 'team-a', tokens: [TOKEN_A], ...extra.a },
    { name: 'team-b', tokens: [TOKEN_B], ...extra.b },
  ];
  writeFileSync(file, JSON.stringify({ tenants }), { mode: 0o600 });
  return file;
}

const closers: { close(): void }[] = [];
afterAll(() => {
  for (const closer of closers.splice(0)) closer.close();
});

/** A ClusterClientService client that sends `security`'s token and trusts its CA; closed when the file ends. */
export function securedClient(address: string, security: ClientSecurity): ClusterClientServiceClient {
  return clientForTest(ClusterClientServiceDefinition, address, security);
}

/** A client of any service with `security` (TLS, a cluster secret or a token); its channel is closed when the file ends. */
export function clientForTest<Service extends CompatServiceDefinition>(
  definition: Service,
  address: string,
  security: ClientSecurity = {},
): Client<Service> {
  const { channel, client } = connectClient(definition, address, security);
  closers.push(channel);
  return client;
}

/** The CLI's connection to the control plane with `security`; closed when the file ends. */
export function securedConnection(address: string, security: ClientSecurity): ControlPlaneConnection {
  const connection = connectControlPlane(address, security);
  closers.push(connection);
  return connection;
}
