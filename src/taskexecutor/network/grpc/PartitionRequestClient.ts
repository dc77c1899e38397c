/**
 * What a remote input channel needs to reach its producer: a lease on a shared TaskExecutorService
 * client (Flink's PartitionRequestClient). The PartitionRequestClientFactory hands them out and
 * creates the channels, so the channel knows only these interfaces, not the factory.
 */
import type { TaskExecutorServiceClient } from '../../../../generated/flotilla/v1/task_executor_service.js';

/** A lease on the client of one producer address; release it when the stream is over. */
export interface PartitionRequestClient {
  /** The TaskExecutorService client of the producer. */
  readonly client: TaskExecutorServiceClient;
  /** Gives the lease back; the connection closes when no lease is left. Idempotent. */
  release(): void;
}

/** Where leases come from (the PartitionRequestClientFactory). */
export interface PartitionRequestClients {
  /** A lease on the client of the producer at `address`, connecting when there is none yet. */
  acquire(address: string): PartitionRequestClient;
}
