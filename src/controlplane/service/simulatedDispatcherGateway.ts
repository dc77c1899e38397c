/**
 * The {@link DispatcherGateway} of simulated clusters (the `simulated` deployment target): calls go
 * to the cluster's {@link SimulatedJobManager} in this process's memory instead of over gRPC, and
 * answer as a real job manager does (domain errors; UNAVAILABLE once the cluster is gone). An
 * address that names no simulated cluster (a job manager the user started, `-m HOST:PORT`) still
 * gets the gateway it would get otherwise.
 */
import { recordJobResult } from './recordedJobResult.js';
import { FailedPreconditionError, UnavailableError } from '../../common/errors.js';
import type { SimulatedDeploymentTarget } from '../../deployment/simulated/SimulatedDeploymentTarget.js';
import type { SimulatedJobManager, SimulatedJobSubmission } from '../../deployment/simulated/SimulatedJobManager.js';
import { isSimulatedJobManagerAddress } from '../../deployment/simulated/SimulationScript.js';
import { jobStatusToMessage, serializedErrorToMessage } from '../../rpc/convert/status.js';
import type {
  ConnectDispatcher,
  DispatcherGateway,
  JobOutputChunk,
  JobOutputStream,
} from '../clusters/DispatcherGateway.js';
import type { ClusterJobEvent } from '../model/ClusterJobEvent.js';
import { relayJobResultPart } from './relayedJobResultPart.js';

/** Connects to simulated clusters in memory, and to any other address with `otherwise`. */
export function simulatedDispatchers(
  target: SimulatedDeploymentTarget,
  otherwise: ConnectDispatcher,
): ConnectDispatcher {
  return (address, clusterSecret, serverName) =>
    isSimulatedJobManagerAddress(address)
      ? simulatedDispatcherGateway(address, target)
      : otherwise(address, clusterSecret, serverName);
}

const STREAMS: Record<string, JobOutputStream> = { stdout: 'STDOUT', stderr: 'STDERR', logger: 'LOGGER' };

/** The gateway of the simulated cluster whose job manager is at `address`. */
function simulatedDispatcherGateway(address: string, target: SimulatedDeploymentTarget): DispatcherGateway {
  const jobManager = (): SimulatedJobManager => {
    const found = target.jobManager(address);
    if (!found)
      throw new UnavailableError(
        `cannot reach the job manager at ${address}: no simulated cluster of this control plane is there (simulated clusters end with the process that simulates them)`,
      );
    return found;
  };
  const submit = (submission: SimulatedJobSubmission) => jobManager().submit(submission);
  return {
    address,

    async uploadBundle() {
      // A simulated cluster runs no code: it only has to be there.
      jobManager();
    },

    async submitJob({ graph, livingPriority, applicationId, requestId }) {
      const driver = graph.vertices
        .flatMap((vertex) => vertex.operators)
        .find((operator) => operator.kind === 'driver');
      const applicationName = driver?.kind === 'driver' ? driver.applicationName : graph.name;
      const vertices = graph.vertices.map(({ id, name, parallelism }) => ({
        id,
        name,
        parallelism: Math.max(1, parallelism || graph.defaultParallelism || 1),
      }));
      return submit({ applicationId, applicationName, jobName: graph.name, livingPriority, requestId, vertices });
    },

    async cancelJob(jobId) {
      jobManager().cancel(jobId);
    },

    async triggerSavepoint(jobId) {
      jobManager();
      throw new FailedPreconditionError(
        `job ${jobId} runs on a simulated cluster, which runs no code and keeps no state: it takes no savepoints`,
      );
    },

    async runApplicationMain(submission) {
      const { applicationId, applicationName, requestId } = submission;
      return submit({
        applicationId,
        applicationName,
        jobName: `${applicationName}: main`,
        livingPriority: 'DRIVER',
        requestId,
        vertices: [],
      });
    },

    jobResultRecord(jobId, maxBytes, signal) {
      return recordJobResult(this.requestJobResult(jobId, signal), maxBytes);
    },

    async *requestJobResult(jobId, signal) {
      const result = await jobManager().result(jobId, signal);
      yield relayJobResultPart({
        $case: 'result',
        result: {
          jobId: result.jobId,
          status: jobStatusToMessage(result.status),
          failure: result.failure ? serializedErrorToMessage(result.failure) : undefined,
          durationMs: BigInt(result.durationMs),
          collectedRecords: 0n,
        },
      });
    },

    async *watchJobEvents(afterSequence, signal): AsyncGenerator<ClusterJobEvent> {
      for await (const { sequence, time, applicationId, kind } of jobManager().watchEvents(afterSequence, signal))
        yield { sequence, time, applicationId, kind };
    },

    async *readJobOutput(jobId, offset, follow, signal): AsyncGenerator<JobOutputChunk> {
      for await (const chunk of jobManager().readOutput(jobId, offset, follow, signal)) {
        yield {
          offset: chunk.offset,
          data: chunk.data,
          stream: STREAMS[chunk.stream] ?? 'LOGGER',
          nextOffset: chunk.nextOffset,
        };
      }
    },

    async overview() {
      return jobManager().overview();
    },

    async shutDownCluster(reason) {
      jobManager().shutDown(reason);
    },

    async renewClusterLease() {
      // Simulated clusters have no lease: they end with the process that simulates them.
      jobManager();
      return 0;
    },

    close() {
      // Nothing to close: there is no connection.
    },
  };
}
