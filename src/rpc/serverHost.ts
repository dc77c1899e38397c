/**
 * Starts a gRPC server the way every Flotilla process does: its own services plus server
 * reflection and grpc.health.v1, error mapping and a terminator, listening on `--listen`.
 * {@link ServerHost.shutdown} ends open streams with UNAVAILABLE and stops within a bound.
 */
import {
  createServer,
  type CompatServiceDefinition,
  type ServerMiddleware,
  type ServiceImplementation,
} from 'nice-grpc';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import { ServerReflection, ServerReflectionService } from 'nice-grpc-server-reflection';
import { formatHostPort, isLoopback, type HostPort } from '../common/address.js';
import type { Logger } from '../common/logger.js';
import { loadDescriptorSet } from './descriptors.js';
import { errorMiddleware } from './errorMiddleware.js';
import { authenticationMiddleware } from './security/authenticationMiddleware.js';
import { checkBindSecurity, isSecured, serverCredentials, type ServerSecurity } from './security/ServerSecurity.js';
import { streamLimitMiddleware } from './security/streamLimitMiddleware.js';
import { Terminator } from './terminator.js';
import {
  refuseUndecodableRequests,
  withTolerantDecoding,
  type TsProtoServiceDefinition,
} from './undecodableRequests.js';

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
  /** The largest message the server accepts or sends, in bytes; {@link DEFAULT_MAX_MESSAGE_BYTES} when not given. */
  maxMessageBytes?: number;
  /** How long shutdown waits for calls to end before it cuts them off, in milliseconds. */
  shutdownGraceMs?: number;
  /** TLS, caller authentication and whether to listen beyond loopback unsecured; plaintext, open and loopback-only when not given. */
  security?: ServerSecurity;
  /** The most streaming calls one caller may hold open at once; no limit when not given or 0. */
  maxStreamsPerCaller?: number;
  /**
   * A Unix socket path on which the same services, behind the same middleware (authentication,
   * stream limits, error mapping, terminator), are also served in plaintext: for bridges inside
   * this process, such as the dashboard's gRPC-Web, that must reach the server without its TLS or
   * its public address. The socket's folder must be one only this process's user can enter.
   */
  internalSocket?: string;
}

/** The largest message a server accepts or sends, and a data-exchange client accepts, unless configured. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

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
  const { logger, security } = options;
  checkBindSecurity(options.listen.host, security);
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const terminator = new Terminator();
  const authentication = security?.authentication ? authenticationMiddleware(security.authentication) : passThrough;
  // One instance for both listeners, so a caller's streams count once whichever way they came.
  const streamLimit = options.maxStreamsPerCaller ? streamLimitMiddleware(options.maxStreamsPerCaller) : passThrough;
  const health = HealthState();
  const names = options.services.map((service) => service.definition.fullName);
  const reflection = lazyServerReflection(() =>
    ServerReflection(loadDescriptorSet(), [...names, HEALTH_SERVICE, REFLECTION_SERVICE]),
  );
  const build = () => {
    const server = createServer({
      'grpc.max_receive_message_length': maxMessageBytes,
      'grpc.max_send_message_length': maxMessageBytes,
    })
      .use(terminator.middleware)
      .use(errorMiddleware(logger))
      .use(authentication)
      .use(streamLimit)
      .use(refuseUndecodableRequests);
    // Request bytes that do not decode answer INVALID_ARGUMENT instead of grpc-js's INTERNAL.
    for (const service of options.services) {
      const definition =
        'methods' in service.definition
          ? withTolerantDecoding(service.definition as TsProtoServiceDefinition)
          : service.definition;
      server.add(definition as HostedService['definition'], service.implementation);
    }
    server.add(
      withTolerantDecoding(
        HealthDefinition as unknown as TsProtoServiceDefinition,
      ) as unknown as typeof HealthDefinition,
      HealthServiceImpl(health),
    );
    // Parsing the descriptor set takes about 50 ms of CPU: it is done at the first reflection call, not at every process's start.
    server.add(ServerReflectionService, reflection);
    return server;
  };
  const server = build();
  const internal = options.internalSocket === undefined ? undefined : build();
  if (internal) await internal.listen(`unix:${options.internalSocket}`);

  let port: number;
  try {
    port = await server.listen(formatHostPort(options.listen), serverCredentials(security));
  } catch (error) {
    internal?.forceShutdown();
    throw error;
  }
  const address = formatHostPort({ host: options.listen.host, port });
  for (const name of names) health.setStatus('healthy', name);
  logSecurity(logger, address, options.listen.host, security);

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
          logger.warn(
            { openCalls: terminator.openCalls },
            'calls still open after the shutdown grace period; cutting them off',
          );
          server.forceShutdown();
          internal?.forceShutdown();
          resolve();
        }, grace);
      });
      await Promise.race([Promise.all([server.shutdown(), internal?.shutdown()]), cutOff]);
      clearTimeout(timer);
    })());

  return { address, shutdown };
}

/** Server reflection that is built at its first call. */
function lazyServerReflection(build: () => ReturnType<typeof ServerReflection>): ReturnType<typeof ServerReflection> {
  let reflection: ReturnType<typeof ServerReflection> | undefined;
  return {
    serverReflectionInfo: (requests, context) => (reflection ??= build()).serverReflectionInfo(requests, context),
  };
}

/** A middleware that changes nothing, standing for one that is switched off. */
const passThrough: ServerMiddleware = (call, context) => call.next(call.request, context);

/** Says at start how the server is protected, loudly when it is reachable beyond this machine without protection. */
function logSecurity(logger: Logger, address: string, host: string, security: ServerSecurity | undefined): void {
  const tls = security?.tls !== undefined;
  const authentication = security?.authentication?.describe;
  if (isSecured(security)) {
    logger.info(
      { address, tls, authentication },
      `serving TLS; every call but health and reflection must carry ${authentication}`,
    );
  } else if (isLoopback(host)) {
    logger.info(
      { address, tls, authentication: authentication ?? 'none' },
      `listening on loopback only: without TLS and ${authentication ?? 'authentication'} this server takes calls only from this machine`,
    );
  } else {
    logger.warn(
      { address, tls, authentication: authentication ?? 'none' },
      `INSECURE: listening on ${host} without ${tls ? 'authentication' : authentication ? 'TLS' : 'TLS or authentication'} (--insecure-bind); anyone who can reach it can call it`,
    );
  }
}
