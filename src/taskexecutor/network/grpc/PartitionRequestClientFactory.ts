/**
 * The gRPC connections of a task executor's consumers to producer task executors (Flink's
 * `PartitionRequestClientFactory`): one channel per producer address, shared by every remote input
 * channel reading from that address and closed when the last of them is done. All subpartition
 * streams to one producer thus multiplex over one HTTP/2 connection.
 */
import type { Channel } from 'nice-grpc';
import {
  TaskExecutorServiceDefinition,
  type TaskExecutorServiceClient,
} from '../../../../generated/flotilla/v1/task_executor_service.js';
import type { InputChannelDescriptor } from '../../../runtime/TaskDeploymentDescriptor.js';
import type { InputChannel, InputChannelOptions, RemoteInputChannelFactory } from '../InputChannel.js';
import { connectClient } from '../../../rpc/security/channelCredentials.js';
import type { ClientSecurity } from '../../../rpc/security/ClientSecurity.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../../rpc/serverHost.js';
import type { PartitionRequestClient, PartitionRequestClients } from './PartitionRequestClient.js';
import { RemoteInputChannel } from './RemoteInputChannel.js';

/** Options of a {@link PartitionRequestClientFactory}. */
export interface PartitionRequestClientFactoryOptions {
  /** The largest message accepted, in bytes; defaults to {@link DEFAULT_MAX_MESSAGE_BYTES}. */
  maxMessageBytes?: number;
  /** TLS and the cluster's secret, to reach producers of a secured cluster; plaintext without credentials when not given. */
  security?: ClientSecurity;
}

type Connection = { channel: Channel; client: TaskExecutorServiceClient; leases: number };

/** Hands out shared connections to producer task executors and creates remote input channels on them. */
export class PartitionRequestClientFactory implements PartitionRequestClients {
  private readonly connections = new Map<string, Connection>();
  private readonly maxMessageBytes: number;
  private readonly security: ClientSecurity | undefined;

  /** A factory with no connection open yet. */
  constructor(options: PartitionRequestClientFactoryOptions = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.security = options.security;
  }

  /** The number of producer addresses with an open connection. */
  get openConnections(): number {
    return this.connections.size;
  }

  /** The {@link RemoteInputChannelFactory} to pass to `createInputGate` as `connectRemote`. */
  readonly connectRemote: RemoteInputChannelFactory = (
    descriptor: InputChannelDescriptor,
    options: InputChannelOptions,
  ): InputChannel => new RemoteInputChannel(descriptor, this, options);

  /** Leases the client of `address` (`host:port`), connecting on first use. */
  acquire(address: string): PartitionRequestClient {
    let connection = this.connections.get(address);
    if (!connection) {
      const { channel, client } = connectClient(TaskExecutorServiceDefinition, address, this.security, {
        'grpc.max_receive_message_length': this.maxMessageBytes,
        'grpc.max_send_message_length': this.maxMessageBytes,
      });
      connection = { channel, client, leases: 0 };
      this.connections.set(address, connection);
    }
    connection.leases += 1;
    const leased = connection;
    let released = false;
    return {
      client: leased.client,
      release: () => {
        if (released) return;
        released = true;
        leased.leases -= 1;
        if (leased.leases === 0 && this.connections.get(address) === leased) {
          this.connections.delete(address);
          leased.channel.close();
        }
      },
    };
  }

  /** Closes every connection (the task executor shuts down); close the input gates using them first. */
  close(): void {
    for (const connection of this.connections.values()) connection.channel.close();
    this.connections.clear();
  }
}
