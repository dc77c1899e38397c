/**
 * Starts a gRPC server the way every Flotilla process does: its own services plus server
 * reflection and grpc.health.v1, error mapping and a terminator, listening on `--listen`.
 * {@link ServerHost.shutdown} ends open streams with UNAVAILABLE and stops within a bound.
 */
import { createServer, type CompatServiceDefinition, type ServiceImplementation } from 'nice-grpc';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import { ServerReflection, ServerReflectionService } from 'nice-grpc-server-reflection';
import { formatHostPort, isLoopback, type HostPort } from '../common/address.js';
import type { Logger } from '../common/logger.js';
import { loadDescriptorSet } from './descriptors.js';
import { errorMiddleware } from './errorMiddleware.js';
import { Terminator } from './terminator.js';
import { refuseUndecodableRequests, withTolerantDecoding, type TsProtoServiceDefinition } from './undecodableRequests.js';

/** One service to serve: its definition (with its full name) and its implementation. */
export interface HostedService {
  definition: CompatServiceDefinition & { fullName: string };
  implementation: ServiceImplementation<CompatServiceDefinition>;
}

/** Options of {@link startServerHost}. */
export interface ServerHostOptions {
  /** Where to listen; port 0 picks a free port. */
  listen: HostPort;
  /** The services to serve besides reflection and health. */
  services: HostedService[];
  /** The process's logger. */
  logger: Logger;
  /** The largest message the server accepts or sends, in bytes. */
  maxMessageBytes?: number;
  /** How long shutdown waits for calls to end before it cuts them off, in milliseconds. */
  shutdownGraceMs?: number;
}

/** A running server. */
export interface ServerHost {
  /** The address it listens on, with the actual port. */
  readonly address: string;
  /** Marks the services unhealthy, ends open calls with UNAVAILABLE and closes the listener. */
  shutdown(): Promise<void>;
}

const REFLECTION_SERVICE = 'grpc.reflection.v1.ServerReflection';
const HEALTH_SERVICE = 'grpc.health.v1.Health';

/** Starts serving; resolves once the listener is bound. */
export async function startServerHost(options: ServerHostOptions): Promise<ServerHost> {
  const { logger } = options;
  const maxMessageBytes = options.maxMessageBytes ?? 16 * 1024 * 1024;
  const terminator = new Terminator();
  const server = createServer({
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
  })
    .use(terminator.middleware)
    .use(errorMiddleware(logger))
    .use(refuseUndecodableRequests);

  const health = HealthState();
  const names = options.services.map((service) => service.definition.fullName);
  // Request bytes that do not decode answer INVALID_ARGUMENT instead of grpc-js's INTERNAL.
  for (const service of options.services) {
    const definition = 'methods' in service.definition ? withTolerantDecoding(service.definition as TsProtoServiceDefinition) : service.definition;
    server.add(definition as HostedService['definition'], service.implementation);
  }
  server.add(HealthDefinition, HealthServiceImpl(health));
  server.add(ServerReflectionService, ServerReflection(loadDescriptorSet(), [...names, HEALTH_SERVICE, REFLECTION_SERVICE]));

  const port = await server.listen(formatHostPort(options.listen));
  const address = formatHostPort({ host: options.listen.host, port });
  for (const name of names) health.setStatus('healthy', name);
  if (!isLoopback(options.listen.host)) {
    logger.warn({ address }, 'listening on a non-loopback address without TLS or authentication; anyone who can reach it can call it');
  }

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      health.setStatus('unhealthy');
      for (const name of names) health.setStatus('unhealthy', name);
      terminator.terminate();
      const grace = options.shutdownGraceMs ?? 1500;
      let timer: NodeJS.Timeout | undefined;
      const cutOff = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          logger.warn({ openCalls: terminator.openCalls }, 'calls still open after the shutdown grace period; cutting them off');
          server.forceShutdown();
          resolve();
        }, grace);
      });
      await Promise.race([server.shutdown(), cutOff]);
      clearTimeout(timer);
    })());

  return { address, shutdown };
}
