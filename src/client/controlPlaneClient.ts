/**
 * A typed client of ClusterClientService: the only way the CLI talks to Flotilla. Every method
 * rethrows failures as domain errors (see {@link rethrowGrpcError}).
 */
import { createChannel, createClient, type Channel } from 'nice-grpc';
import {
  ClusterClientServiceDefinition,
  type ClusterClientServiceClient,
} from '../../generated/flotilla/v1/cluster_client_service.js';
import { rethrowGrpcError } from './errors.js';

/** The address clients dial when neither --controlplane nor FLOTILLA_CONTROLPLANE is given. */
export const DEFAULT_CONTROL_PLANE_ADDRESS = '127.0.0.1:6180';

/** A connection to one control plane. */
export interface ControlPlaneConnection {
  /** The address dialed. */
  readonly address: string;
  /** The generated client; wrap calls in {@link ControlPlaneConnection.call}. */
  readonly client: ClusterClientServiceClient;
  /** Runs a call, rethrowing its failure as a domain error. */
  call<T>(invoke: (client: ClusterClientServiceClient) => Promise<T>): Promise<T>;
  /** Closes the channel. */
  close(): void;
}

/** Opens a channel to the control plane at `address` (HOST:PORT). */
export function connectControlPlane(address: string): ControlPlaneConnection {
  const channel: Channel = createChannel(address);
  const client = createClient(ClusterClientServiceDefinition, channel);
  return {
    address,
    client,
    async call(invoke) {
      try {
        return await invoke(client);
      } catch (error) {
        rethrowGrpcError(error, address);
      }
    },
    close: () => channel.close(),
  };
}
