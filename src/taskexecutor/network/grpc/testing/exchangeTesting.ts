/** A real TaskExecutorService on 127.0.0.1 that serves only ExchangeData, for the exchange tests. */
import {
  TaskExecutorServiceDefinition,
  type TaskExecutorServiceImplementation,
} from '../../../../../generated/flotilla/v1/task_executor_service.js';
import type { CallContext } from 'nice-grpc-common';
import { createLogger } from '../../../../common/logger.js';
import { ResultPartitionManager } from '../../ResultPartitionManager.js';
import { startServerHost, type HostedService, type ServerHost } from '../../../../rpc/serverHost.js';
import { withUnimplemented } from '../../../../rpc/testing/withUnimplemented.js';
import { exchangeDataHandler } from '../exchangeDataHandler.js';

/** A producer task executor: its partitions and its server. */
export interface ProducerHost {
  partitions: ResultPartitionManager;
  host: ServerHost;
  address: string;
}

/** Starts a server whose ExchangeData serves a fresh partition manager. */
export async function startProducerHost(options: { partitionRequestTimeoutMs?: number } = {}): Promise<ProducerHost> {
  const partitions = new ResultPartitionManager();
  const logger = createLogger({ name: 'exchange-test', level: 'silent' });
  const implemented: Partial<TaskExecutorServiceImplementation<CallContext>> = {
    exchangeData: exchangeDataHandler(partitions, { ...options, logger }),
  };
  const service = {
    definition: TaskExecutorServiceDefinition,
    implementation: withUnimplemented(TaskExecutorServiceDefinition, implemented),
  } as HostedService;
  const host = await startServerHost({
    listen: { host: '127.0.0.1', port: 0 },
    services: [service],
    logger,
    shutdownGraceMs: 500,
  });
  return { partitions, host, address: host.address };
}
