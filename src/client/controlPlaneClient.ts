/**
 * A typed client of ClusterClientService: the only way the CLI talks to Flotilla. Every method
 * rethrows failures as domain errors (see {@link rethrowGrpcError}).
 */
import {
  ClusterClientServiceDefinition,
  type ClusterClientServiceClient,
} from '../../generated/flotilla/v1/cluster_client_service.js';
import { connectClient } from '../rpc/security/channelCredentials.js';
import type { ClientSecurity } from '../rpc/security/ClientSecurity.js';
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

/**
 * Opens a channel to the control plane at `address` (HOST:PORT); with `security`, over TLS trusting
 * its CA and with its bearer token on every call (`--tls-ca`, `--token`).
 */
export function connectControlPlane(address: string, security?: ClientSecurity): ControlPlaneConnection {
  const { channel, client } = connectClient(ClusterClientServiceDefinition, address, security);
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
