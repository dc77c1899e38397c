/**
 * One grpc.health.v1 Check of a Flotilla server, as an orchestrator's probe makes it: SERVING or
 * not, within a deadline. Health is open (no credential needed), so the probe carries none; it
 * speaks TLS to a server that serves it (`security.tls`).
 */
import { HealthDefinition } from 'nice-grpc-server-health';
import { connectClient } from './security/channelCredentials.js';
import type { ClientTls } from './security/ClientSecurity.js';

/** SERVING is 1 in grpc.health.v1's ServingStatus. */
const SERVING = 1;

/** Whether the server at `address` answers its health check SERVING for `service` ('' for the whole server) within `timeoutMs`. */
export async function checkHealth(
  address: string,
  service: string,
  timeoutMs: number,
  tls?: ClientTls,
): Promise<boolean> {
  const { channel, client } = connectClient(HealthDefinition, address, { tls });
  try {
    const answer = await client.check({ service }, { signal: AbortSignal.timeout(timeoutMs) });
    return answer.status === SERVING;
  } finally {
    channel.close();
  }
}
