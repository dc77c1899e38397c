import {
  createConnection,
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket,
} from 'node:net';
import { createServer, ServerError, Status, type Server, type ServiceImplementation } from 'nice-grpc';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterClientServiceDefinition } from '../../generated/flotilla/v1/cluster_client_service.js';
import type { ApplicationEvent } from '../../generated/flotilla/v1/events.js';
import { type Application } from '../../generated/flotilla/v1/resources.js';
import { InvalidArgumentError, UnavailableError } from '../common/errors.js';
import { withUnimplemented } from '../rpc/testing/withUnimplemented.js';
import { controlPlaneAddresses } from './controlPlaneAddresses.js';
import { connectControlPlane, type ControlPlaneConnection } from './controlPlaneClient.js';
import { ControlPlaneUnreachableError } from './errors.js';
import { runApplication } from './runApplication.js';
import { watchApplication } from './watchApplication.js';

/** What a replica of the test saw: the calls it took, by RPC. */
interface Replica {
  address: string;
  calls: { method: string; request: unknown }[];
  /** Kills it: every connection closes at once, open calls break (as a process killed with -9). */
  kill(): void;
}

type Handlers = Partial<ServiceImplementation<typeof ClusterClientServiceDefinition>>;

const servers: Server[] = [];
const relays: TcpServer[] = [];
const connections: ControlPlaneConnection[] = [];
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.close();
  for (const relay of relays.splice(0)) relay.close();
  for (const server of servers.splice(0)) server.forceShutdown();
});

/**
 * A real gRPC server on loopback serving `handlers` of ClusterClientService, recording every call.
 * Clients reach it through a TCP relay, so that killing it closes every connection at once, as the
 * kernel does for a process killed with -9, instead of ending calls the way a server shuts down.
 */
async function startReplica(handlers: (replica: Replica) => Handlers): Promise<Replica> {
  const server = createServer();
  servers.push(server);
  const sockets = new Set<Socket>();
  const relay = createTcpServer((socket) => {
    const upstream = createConnection(serverPort, '127.0.0.1');
    for (const end of [socket, upstream]) {
      sockets.add(end);
      end.on('error', () => undefined).on('close', () => sockets.delete(end));
    }
    socket.pipe(upstream).pipe(socket);
  });
  const replica: Replica = {
    address: '',
    calls: [],
    kill() {
      relay.close();
      for (const socket of sockets) socket.destroy();
    },
  };
  const recorded = Object.fromEntries(
    Object.entries(handlers(replica)).map(([method, handler]) => [
      method,
      (request: unknown, context: unknown) => {
        replica.calls.push({ method, request });
        return (handler as (request: unknown, context: unknown) => unknown)(request, context);
      },
    ]),
  ) as Handlers;
  server.add(
    ClusterClientServiceDefinition,
    withUnimplemented(ClusterClientServiceDefinition as never, recorded as never),
  );
  const serverPort = await server.listen('127.0.0.1:0');
  relays.push(relay);
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  replica.address = `127.0.0.1:${(relay.address() as AddressInfo).port}`;
  return replica;
}

/** An address nothing listens on: a replica that is down. */
async function deadAddress(): Promise<string> {
  const server = createServer();
  const port = await server.listen('127.0.0.1:0');
  await server.shutdown();
  return `127.0.0.1:${port}`;
}

function connect(addresses: string[]): ControlPlaneConnection {
  const connection = connectControlPlane(addresses.join(','));
  connections.push(connection);
  return connection;
}

const application = (id: string): Application => ({ id }) as Application;
const event = (sequence: number): ApplicationEvent => ({ sequence: BigInt(sequence) }) as ApplicationEvent;
const never = () => new Promise<never>(() => undefined);

describe('a client of several replicas', () => {
  it('sends any call, even one not safe to repeat, to the next replica when the first cannot be reached, and stays there', async () => {
    const live = await startReplica(() => ({
      getApplication: async ({ applicationId }) => ({ application: application(applicationId) }),
      cancelApplication: async ({ applicationId }) => ({ application: application(applicationId) }),
    }));
    const connection = connect([await deadAddress(), live.address]);
    const { application: read } = await connection.call((client) => client.getApplication({ applicationId: 'app-1' }), {
      idempotent: true,
    });
    expect(read?.id).toBe('app-1');
    expect(connection.address).toBe(live.address);
    await connection.call((client) => client.cancelApplication({ applicationId: 'app-1' }));
    expect(live.calls.map((call) => call.method)).toEqual(['getApplication', 'cancelApplication']);
  });

  it('does not send a call that is not safe to repeat again when its replica dies under it', async () => {
    const dying = await startReplica((replica) => ({
      cancelApplication: () => {
        setTimeout(() => replica.kill(), 50);
        return never();
      },
    }));
    const other = await startReplica(() => ({
      cancelApplication: async ({ applicationId }) => ({ application: application(applicationId) }),
    }));
    const connection = connect([dying.address, other.address]);
    const failure = await connection
      .call((client) => client.cancelApplication({ applicationId: 'app-1' }))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnavailableError);
    expect((failure as Error).message).toMatch(
      new RegExp(
        `^the control plane replica at ${dying.address} went away during the call, which may or may not have been done; it is not sent again`,
      ),
    );
    expect(other.calls).toEqual([]);
    // The next call goes to the replica that is left.
    expect(connection.address).toBe(other.address);
  });

  it('sends a submission again with its request id to the next replica when its replica dies under it', async () => {
    const dying = await startReplica((replica) => ({
      runApplication: () => {
        setTimeout(() => replica.kill(), 50);
        return never();
      },
    }));
    const other = await startReplica(() => ({
      runApplication: async () => ({ application: application('app-7'), deduplicated: true }),
    }));
    const connection = connect([dying.address, other.address]);
    const response = await connection.call(
      (client) => client.runApplication({ requestId: 'request-1', name: 'once' } as never),
      { idempotent: true },
    );
    expect(response.application?.id).toBe('app-7');
    const sent = [...dying.calls, ...other.calls].map(({ request }) => (request as { requestId: string }).requestId);
    expect(sent).toEqual(['request-1', 'request-1']);
  });

  it('resumes a watch on the next replica after the last event seen when its replica dies', async () => {
    const dying = await startReplica((replica) => ({
      async *watchApplication() {
        for (const sequence of [1, 2, 3]) yield { event: event(sequence) };
        setTimeout(() => replica.kill(), 50);
        await never();
      },
    }));
    const other = await startReplica(() => ({
      async *watchApplication({ afterSequence }) {
        for (let sequence = Number(afterSequence) + 1; sequence <= 6; sequence++) yield { event: event(sequence) };
      },
    }));
    const connection = connect([dying.address, other.address]);
    const seen: number[] = [];
    const reconnects: number[] = [];
    for await (const { sequence } of watchApplication(connection, 'app-1', {
      follow: true,
      onReconnect: (after) => reconnects.push(after),
    }))
      seen.push(Number(sequence));
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(reconnects).toEqual([3]);
    expect(other.calls.map(({ request }) => (request as { afterSequence: bigint }).afterSequence)).toEqual([3n]);
  });

  it('gives the bundle to the replica a submission moved to when that one does not hold it, and submits once more with the same request id', async () => {
    const stored = new Set<string>();
    const artifact = (artifactId: string) => ({ artifact: { id: artifactId } as never });
    const dying = await startReplica((replica) => ({
      getArtifact: async ({ artifactId }) => artifact(artifactId),
      runApplication: () => {
        setTimeout(() => replica.kill(), 50);
        return never();
      },
    }));
    const other = await startReplica(() => ({
      getArtifact: async ({ artifactId }) => {
        if (!stored.has(artifactId)) throw new ServerError(Status.NOT_FOUND, `artifact ${artifactId} is not stored`);
        return artifact(artifactId);
      },
      async uploadArtifact(requests) {
        let id = '';
        for await (const { part } of requests) if (part?.$case === 'header') id = part.header.sha256;
        stored.add(id);
        return { ...artifact(id), alreadyStored: false };
      },
      runApplication: async ({ bundle }) => {
        const artifactId = bundle?.source?.$case === 'artifactId' ? bundle.source.artifactId : '';
        if (!stored.has(artifactId)) throw new ServerError(Status.NOT_FOUND, `bundle ${artifactId} is not stored`);
        return { application: application('app-9'), deduplicated: false };
      },
    }));
    const connection = connect([dying.address, other.address]);
    const { application: accepted } = await runApplication(connection, {
      bundlePath: new URL('../../examples/wordcount', import.meta.url).pathname,
      entry: '',
      args: [],
      cluster: { kind: 'deploy', taskExecutors: 0, slotsPerTaskExecutor: 0 },
      driver: { heapMemoryMb: 0, directMemoryMb: 0, nativeMemoryMb: 0, cpus: 0 },
      parallelism: 0,
      properties: {},
      requestId: 'request-2',
    });
    expect(accepted.id).toBe('app-9');
    expect(other.calls.map((call) => call.method)).toEqual([
      'runApplication',
      'getArtifact',
      'uploadArtifact',
      'runApplication',
    ]);
    const sent = [...dying.calls, ...other.calls]
      .filter((call) => call.method === 'runApplication')
      .map(({ request }) => (request as { requestId: string }).requestId);
    expect(sent).toEqual(['request-2', 'request-2', 'request-2']);
  });

  it('says it reached none of them when every replica is down', async () => {
    const addresses = [await deadAddress(), await deadAddress()];
    const connection = connect(addresses);
    const failure = await connection
      .call((client) => client.listApplications({ pageSize: 1, pageToken: '', statuses: [] }), { idempotent: true })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ControlPlaneUnreachableError);
    expect((failure as Error).message).toContain(`cannot reach the control plane at ${addresses.join(',')}`);
  });
});

describe('controlPlaneAddresses', () => {
  it('splits a list of replicas and refuses an empty, repeated or malformed one', () => {
    expect(controlPlaneAddresses(' a.example:6180, b.example:6180 ,')).toEqual(['a.example:6180', 'b.example:6180']);
    expect(controlPlaneAddresses('127.0.0.1:6180')).toEqual(['127.0.0.1:6180']);
    expect(() => controlPlaneAddresses(' , ')).toThrow(InvalidArgumentError);
    expect(() => controlPlaneAddresses('a:1,a:1')).toThrow(/names a:1 twice/);
    expect(() => controlPlaneAddresses('a:1,b')).toThrow(/is not HOST:PORT/);
  });
});
