/**
 * The gRPC adapter of a cluster's Dispatcher. The job manager's runtime (job masters, resource
 * manager, blob server) arrives with the cluster-runtime milestone; until then every RPC answers
 * UNIMPLEMENTED with a message that says so.
 */
import type { CallContext } from 'nice-grpc-common';
import {
  DispatcherServiceDefinition,
  type DispatcherServiceImplementation,
} from '../../generated/flotilla/v1/dispatcher_service.js';
import type { HostedService } from '../rpc/serverHost.js';
import { withUnimplemented } from '../rpc/unimplemented.js';

/** Creates the DispatcherService implementation. */
export function dispatcherService(): HostedService {
  const implemented: Partial<DispatcherServiceImplementation<CallContext>> = {};
  return {
    definition: DispatcherServiceDefinition,
    implementation: withUnimplemented(DispatcherServiceDefinition, implemented),
  } as HostedService;
}
