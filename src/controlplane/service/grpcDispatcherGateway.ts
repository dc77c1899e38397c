/**
 * The {@link DispatcherGateway} over gRPC: a nice-grpc client of one job manager's
 * DispatcherService. Bundles go up through the blob gateway's upload; failed calls come back as
 * domain errors naming the job manager, an unreachable one as UnavailableError.
 */
import { isAbortError } from 'abort-controller-x';
import { ClientError, Status } from 'nice-grpc';
import { DispatcherServiceDefinition } from '../../../generated/flotilla/v1/dispatcher_service.js';
import { LogStream } from '../../../generated/flotilla/v1/common.js';
import { OutOfRangeError, UnavailableError } from '../../common/errors.js';
import { applicationMainToMessage } from '../../dispatcher/service/applicationMain.js';
import { jobGraphToMessage } from '../../runtime/service/jobGraph.js';
import { applicationRestoreToMessage } from '../../runtime/service/applicationRestore.js';
import { livingPriorityToMessage } from '../../rpc/convert/status.js';
import { driverReplayToMessage, recordJobResult } from './recordedJobResult.js';
import { uploadArtifact } from '../../blob/service/grpcBlobGateway.js';
import { connectClient } from '../../rpc/security/channelCredentials.js';
import type { ClientSecurity } from '../../rpc/security/ClientSecurity.js';
import { domainErrorOf } from '../../rpc/statusMapping.js';
import {
  JobOutputNotKeptError,
  type DispatcherGateway,
  type JobOutputChunk,
  type JobOutputStream,
  type JobSubmission,
} from '../clusters/DispatcherGateway.js';
import type { ClusterJobEvent } from '../model/ClusterJobEvent.js';
import { jobEventFromMessage } from './jobEventFromMessage.js';
import { relayJobResultPart } from './relayedJobResultPart.js';

/** How long a savepoint (or a stop with one) may take before the call is given up as UNAVAILABLE. */
const SAVEPOINT_TIMEOUT_MS = 10 * 60_000;

/** Connects to the DispatcherService at `address` (HOST:PORT) with `security` (TLS, the cluster's secret); the channel connects lazily. */
export function grpcDispatcherGateway(address: string, security?: ClientSecurity): DispatcherGateway {
  const { channel, client } = connectClient(DispatcherServiceDefinition, address, security);
  /**
   * Runs a unary call bounded by `timeoutMs` (nice-grpc has no deadlines without a middleware, so a
   * timed-out signal stands in); a call that times out is UnavailableError, one the caller aborted an AbortError.
   */
  const call = async <T>(
    invoke: (signal: AbortSignal | undefined) => Promise<T>,
    timeoutMs?: number,
    signal?: AbortSignal,
  ): Promise<T> => {
    const timeout = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    const signals = [signal, timeout].filter((item): item is AbortSignal => item !== undefined);
    try {
      return await invoke(signals.length === 0 ? undefined : AbortSignal.any(signals));
    } catch (error) {
      if (isAbortError(error) && timeout?.aborted && !signal?.aborted) {
        throw new UnavailableError(`the job manager at ${address} did not answer within ${timeoutMs} ms`);
      }
      throw toDomainError(error, address);
    }
  };

  return {
    address,

    async uploadBundle(file, fileName, signal) {
      await uploadArtifact(client, address, { file, fileName }, { signal });
    },

    async submitJob(submission: JobSubmission, signal) {
      const { jobId } = await call(
        (bounded) =>
          client.submitJob(
            {
              jobGraph: jobGraphToMessage(submission.graph),
              livingPriority: livingPriorityToMessage(submission.livingPriority),
              applicationId: submission.applicationId,
              requestId: submission.requestId,
              driverOrdinal: 0,
              driverReplay: driverReplayToMessage(submission.driverReplay),
              restore: applicationRestoreToMessage(submission.restore),
            },
            { signal: bounded },
          ),
        30_000,
        signal,
      );
      return jobId;
    },

    async cancelJob(jobId) {
      await call((signal) => client.cancelJob({ jobId }, { signal }), 5000);
    },

    async triggerSavepoint(jobId, targetDirectory, stop, signal) {
      // A savepoint takes what a checkpoint takes, and a stop also waits for the job to drain and end.
      const { savepointPath } = await call(
        (bounded) => client.triggerSavepoint({ jobId, targetDirectory, stop }, { signal: bounded }),
        SAVEPOINT_TIMEOUT_MS,
        signal,
      );
      return savepointPath;
    },

    async runApplicationMain(submission, signal) {
      const { jobId } = await call(
        (bounded) => client.runApplicationMain(applicationMainToMessage(submission), { signal: bounded }),
        30_000,
        signal,
      );
      return jobId;
    },

    jobResultRecord(jobId, maxBytes, signal) {
      return recordJobResult(this.requestJobResult(jobId, signal), maxBytes);
    },

    async *requestJobResult(jobId, signal) {
      try {
        for await (const { part } of client.requestJobResult({ jobId }, { signal })) {
          if (part?.$case === 'collected' || part?.$case === 'result') yield relayJobResultPart(part);
        }
      } catch (error) {
        throw toDomainError(error, address);
      }
    },

    async *watchJobEvents(afterSequence, signal): AsyncGenerator<ClusterJobEvent> {
      try {
        for await (const { event } of client.watchJobEvents(
          { afterSequence: BigInt(afterSequence), jobId: '', follow: true },
          { signal },
        )) {
          if (event) yield jobEventFromMessage(event);
        }
      } catch (error) {
        throw toDomainError(error, address);
      }
    },

    async *readJobOutput(jobId, offset, follow, signal): AsyncGenerator<JobOutputChunk> {
      try {
        for await (const chunk of client.readJobOutput({ jobId, offset: BigInt(offset), follow }, { signal })) {
          // Copied: the decoded bytes are a view into a buffer the transport may reuse.
          yield {
            offset: Number(chunk.offset),
            data: Buffer.from(chunk.data),
            stream: jobOutputStreamOf(chunk.stream),
            nextOffset: Number(chunk.nextOffset),
          };
        }
      } catch (error) {
        throw jobOutputError(toDomainError(error, address));
      }
    },

    async overview(options = {}) {
      const response = await call(
        (signal) => client.requestClusterOverview({}, { signal }),
        options.timeoutMs ?? 5000,
        options.signal,
      );
      return {
        taskExecutors: response.taskExecutors,
        registered: response.taskExecutorInfos.map((info) => ({ id: info.id })),
      };
    },

    async renewClusterLease(holder, options = {}) {
      const response = await call(
        (signal) => client.renewClusterLease({ holder }, { signal }),
        options.timeoutMs ?? 5000,
      );
      return response.leaseTimeMs;
    },

    async shutDownCluster(reason, options = {}) {
      await call((signal) => client.shutDownCluster({ reason }, { signal }), options.timeoutMs ?? 5000);
    },

    close: () => channel.close(),
  };
}

/** The domain's name of a LogStream; output of a stream this build does not know counts as the SDK logger's. */
function jobOutputStreamOf(stream: LogStream): JobOutputStream {
  if (stream === LogStream.STDOUT) return 'STDOUT';
  if (stream === LogStream.STDERR) return 'STDERR';
  return 'LOGGER';
}

/** An OUT_OF_RANGE of ReadJobOutput as JobOutputNotKeptError, with the oldest kept offset its message names. */
function jobOutputError(error: unknown): unknown {
  if (!(error instanceof OutOfRangeError)) return error;
  const oldest = /oldest kept offset is (\d+)/.exec(error.message);
  return oldest ? new JobOutputNotKeptError(error.message, Number(oldest[1])) : error;
}

/** A failed call as the domain error of its status, naming the job manager; aborts and other errors pass. */
function toDomainError(error: unknown, address: string): unknown {
  if (isAbortError(error) || !(error instanceof ClientError)) return error;
  if (error.code === Status.UNAVAILABLE || error.code === Status.DEADLINE_EXCEEDED) {
    return new UnavailableError(`cannot reach the job manager at ${address}: ${error.details}`);
  }
  return domainErrorOf(error.code, `job manager at ${address}: ${error.details}`);
}
