/**
 * A typed client of ClusterClientService: the only way the CLI talks to Flotilla. It knows every
 * replica the caller named (`a:6180,b:6180,c:6180`) and talks to one at a time, the first that
 * answers, staying with it until it is lost. A call whose replica is lost goes to the next one only
 * when that is safe (see `replicaFailure.ts`): always when the request was never sent, and for a
 * call marked `idempotent` (reads, submissions carrying their request id) also when the replica
 * went away under it. Every other failure is rethrown as a domain error (see {@link rethrowGrpcError}).
 */
import type { Channel } from 'nice-grpc';
import {
  ClusterClientServiceDefinition,
  type ClusterClientServiceClient,
} from '../../generated/flotilla/v1/cluster_client_service.js';
import { connectClient } from '../rpc/security/channelCredentials.js';
import type { ClientSecurity } from '../rpc/security/ClientSecurity.js';
import { controlPlaneAddresses } from './controlPlaneAddresses.js';
import { ControlPlaneUnreachableError, ReplicaLostError, rethrowGrpcError } from './errors.js';
import { replicaFailureOf } from './replicaFailure.js';

/** The address clients dial when neither --controlplane nor FLOTILLA_CONTROLPLANE is given. */
export const DEFAULT_CONTROL_PLANE_ADDRESS = '127.0.0.1:6180';

/** Options of {@link ControlPlaneConnection.call}. */
export interface CallOptions {
  /**
   * The call may be sent again to another replica after its replica went away under it: a read,
   * or a write that a request id (or its content) makes idempotent. Without it, only a call that was
   * never sent goes to another replica.
   */
  idempotent?: boolean;
}

/** A connection to a control plane of one or several replicas. */
export interface ControlPlaneConnection {
  /** Every replica named, in order of preference. */
  readonly addresses: readonly string[];
  /** The replica talked to now. */
  readonly address: string;
  /** The generated client of the replica talked to now; prefer {@link ControlPlaneConnection.call}. */
  readonly client: ClusterClientServiceClient;
  /**
   * Runs a call on the current replica, moving on to the next one when its replica is lost and
   * that is safe (see {@link CallOptions}), each replica tried at most once; rethrows its failure as
   * a domain error. `invoke` is called again for each replica, so it must make its request anew.
   */
  call<T>(invoke: (client: ClusterClientServiceClient) => Promise<T>, options?: CallOptions): Promise<T>;
  /**
   * Moves on from `address` to the next replica after a stream on it failed with `error`; returns
   * whether that error lost the replica (so a resumed stream may go on elsewhere). Nothing moves
   * when the current replica is no longer `address`, or for a single replica.
   */
  replicaFailed(address: string, error: unknown): boolean;
  /** Closes every channel. */
  close(): void;
}

interface Replica {
  readonly address: string;
  readonly channel: Channel;
  readonly client: ClusterClientServiceClient;
}

/**
 * Opens channels to the control plane at `addresses` (`HOST:PORT`, or several separated by commas);
 * with `security`, over TLS trusting its CA and with its bearer token on every call (`--tls-ca`,
 * `--token`). Channels connect lazily: a replica that is never needed is never dialed.
 */
export function connectControlPlane(
  addresses: string | readonly string[],
  security?: ClientSecurity,
): ControlPlaneConnection {
  const list = typeof addresses === 'string' ? controlPlaneAddresses(addresses) : [...addresses];
  const replicas: Replica[] = list.map((address) => ({
    address,
    ...connectClient(ClusterClientServiceDefinition, address, security),
  }));
  let current = 0;
  const moveOn = (from: number) => {
    if (current === from) current = (from + 1) % replicas.length;
  };
  return {
    addresses: list,
    get address() {
      return replicas[current]!.address;
    },
    get client() {
      return replicas[current]!.client;
    },
    async call(invoke, options = {}) {
      let unreachable = 0;
      for (let tried = 1; ; tried++) {
        const index = current;
        const replica = replicas[index]!;
        try {
          return await invoke(replica.client);
        } catch (error) {
          const failure = replicaFailureOf(error);
          if (failure === 'unreachable') unreachable++;
          const moveAllowed = failure === 'unreachable' || (failure === 'lost' && options.idempotent === true);
          if (!moveAllowed || tried >= replicas.length) {
            if (replicas.length > 1 && unreachable === replicas.length)
              throw new ControlPlaneUnreachableError(list.join(','), 'none of its replicas answers');
            if (failure) moveOn(index);
            if (failure === 'lost' && !options.idempotent) throw new ReplicaLostError(replica.address, error);
            rethrowGrpcError(error, replica.address);
          }
          moveOn(index);
        }
      }
    },
    replicaFailed(address, error) {
      const failure = replicaFailureOf(error);
      const index = replicas.findIndex((replica) => replica.address === address);
      if (failure && index >= 0) moveOn(index);
      return failure !== undefined;
    },
    close() {
      for (const replica of replicas) replica.channel.close();
    },
  };
}

/** ` on HOST:PORT`, the replica talked to now, when the connection knows several; else nothing. */
export function onReplica(connection: ControlPlaneConnection): string {
  return connection.addresses.length > 1 ? ` on ${connection.address}` : '';
}
