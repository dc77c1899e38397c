/**
 * The gRPC adapter of a cluster's job manager: maps DispatcherService messages to the Dispatcher
 * (jobs, results, events, output, task reports, shutdown) and the resource manager (registration,
 * heartbeats, slots, overview). Streams pass the call's signal down, so a client that goes away
 * releases what waited for it. The blob server's handlers (UploadArtifact, DownloadArtifact) are
 * passed in as `blobServer` (src/blob/service).
 */
import { abortable } from 'abort-controller-x';
import type { CallContext } from 'nice-grpc-common';
import { LogStream, type RecordBatch } from '../../../generated/flotilla/v1/common.js';
import {
  DispatcherServiceDefinition,
  type DispatcherServiceImplementation,
} from '../../../generated/flotilla/v1/dispatcher_service.js';
import { LivingPriority } from '../../../generated/flotilla/v1/status.js';
import { checkDialAddress } from '../../common/address.js';
import { InvalidArgumentError } from '../../common/errors.js';
import type { ResourceManager } from '../../resourcemanager/ResourceManager.js';
import { applicationMainFromMessage } from './applicationMain.js';
import { applicationRestoreFromMessage } from '../../runtime/service/applicationRestore.js';
import { jobEventToMessage } from '../../runtime/service/jobEvents.js';
import { jobGraphFromMessage } from '../../runtime/service/jobGraph.js';
import { jobSummaryToMessage } from './jobSummary.js';
import { decodeRecords, encodeRecords } from '../../rpc/convert/records.js';
import { slotFromMessage, slotToMessage } from '../../runtime/service/slots.js';
import { taskExecutorMetricsFromMessage } from '../../runtime/service/taskExecutorMetrics.js';
import type { TaskExecutorMetricsReport } from '../../runtime/TaskExecutorMetricsReport.js';
import {
  executionStateFromMessage,
  jobStatusToMessage,
  livingPriorityFromMessage,
  serializedErrorFromMessage,
  serializedErrorToMessage,
} from '../../rpc/convert/status.js';
import { toSafeNumber } from '../../rpc/longs.js';
import type { HostedService } from '../../rpc/serverHost.js';
import { hostedService } from '../../rpc/hostedService.js';
import type { Dispatcher } from '../Dispatcher.js';
import type { ClusterLease } from '../ClusterLease.js';
import type { OutputStream } from '../../common/JobOutputLog.js';

/** What the adapter needs from the job manager. */
export interface DispatcherServiceDependencies {
  clusterId: string;
  resourceManager: ResourceManager;
  dispatcher: Dispatcher;
  /** The cluster's lease, when the job manager was started with one (`--lease-time`). */
  lease?: ClusterLease;
  /** The blob server's handlers (UploadArtifact, DownloadArtifact). */
  blobServer: Pick<DispatcherServiceImplementation<CallContext>, 'uploadArtifact' | 'downloadArtifact'>;
  /** Told what a registered task executor reported with its heartbeat (its exchange counts, its drivers' memory). */
  onTaskExecutorMetrics?(taskExecutorId: string, report: TaskExecutorMetricsReport): void;
}

/** The bounds of one `collected` part of RequestJobResult: at most this many records, about this many bytes. */
export const COLLECTED_BATCH_LIMITS = { maxRecords: 1000, maxBytes: 1024 * 1024 } as const;

const OUTPUT_STREAMS: ReadonlyArray<readonly [OutputStream, LogStream]> = [
  ['stdout', LogStream.STDOUT],
  ['stderr', LogStream.STDERR],
  ['logger', LogStream.LOGGER],
];

import { driverReplayFromMessage } from './driverReplayFromMessage.js';

/** Creates the DispatcherService implementation. */
export function dispatcherService({
  clusterId,
  resourceManager,
  dispatcher,
  lease,
  blobServer,
  onTaskExecutorMetrics,
}: DispatcherServiceDependencies): HostedService {
  const implemented: DispatcherServiceImplementation<CallContext> = {
    ...blobServer,

    async submitJob(request) {
      const graph = jobGraphFromMessage(request.jobGraph);
      const livingPriority =
        request.livingPriority === LivingPriority.UNSPECIFIED
          ? 'NORMAL'
          : livingPriorityFromMessage(request.livingPriority, 'living_priority');
      const jobId = await dispatcher.submitJob({
        graph,
        livingPriority,
        applicationId: request.applicationId,
        requestId: request.requestId || undefined,
        driverOrdinal: request.driverOrdinal || undefined,
        driverReplay: driverReplayFromMessage(request.driverReplay),
        restore: applicationRestoreFromMessage(request.restore),
      });
      return { jobId };
    },

    async triggerSavepoint(request) {
      const result = await dispatcher.triggerSavepoint(requireJobId(request.jobId), {
        targetDirectory: request.targetDirectory || undefined,
        stop: request.stop,
      });
      return { savepointPath: result.savepointPath, checkpointId: BigInt(result.checkpointId) };
    },

    async runApplicationMain(request) {
      return { jobId: await dispatcher.runApplicationMain(applicationMainFromMessage(request)) };
    },

    async getJob(request) {
      return { job: jobSummaryToMessage(dispatcher.getJob(requireJobId(request.jobId))) };
    },

    async listJobs(request) {
      const page = dispatcher.listJobs({ pageSize: request.pageSize, pageToken: request.pageToken });
      return { jobs: page.jobs.map(jobSummaryToMessage), nextPageToken: page.nextPageToken };
    },

    async cancelJob(request) {
      return { job: jobSummaryToMessage(dispatcher.cancelJob(requireJobId(request.jobId))) };
    },

    async *requestJobResult(request, context) {
      const result = await abortable(context.signal, dispatcher.requestJobResult(requireJobId(request.jobId)));
      let collectedRecords = 0;
      for (const [vertexId, records] of result.collected) {
        collectedRecords += records.length;
        for (const batch of encodeInBatches(records))
          yield { part: { $case: 'collected', collected: { vertexId, records: batch } } };
      }
      yield {
        part: {
          $case: 'result',
          result: {
            jobId: result.jobId,
            status: jobStatusToMessage(result.status),
            failure: result.failure && serializedErrorToMessage(result.failure),
            durationMs: BigInt(Math.max(0, Math.round(result.durationMs))),
            collectedRecords: BigInt(collectedRecords),
          },
        },
      };
    },

    async *watchJobEvents(request, context) {
      const events = dispatcher.watchJobEvents({
        afterSequence: toSafeNumber(request.afterSequence, 'after_sequence'),
        jobId: request.jobId || undefined,
        follow: request.follow,
        signal: context.signal,
      });
      for await (const event of events) yield { event: jobEventToMessage(event) };
    },

    async *readJobOutput(request, context) {
      const chunks = dispatcher.readJobOutput(
        requireJobId(request.jobId),
        toSafeNumber(request.offset, 'offset'),
        request.follow,
        context.signal,
      );
      for await (const chunk of chunks) {
        yield {
          offset: BigInt(chunk.offset),
          data: chunk.data,
          stream: logStreamOf(chunk.stream),
          nextOffset: BigInt(chunk.nextOffset),
        };
      }
    },

    async requestClusterOverview() {
      const executors = resourceManager.taskExecutors();
      const slots = resourceManager.slotCounts();
      const jobs = dispatcher.jobCounts();
      return {
        clusterId,
        taskExecutors: executors.length,
        slotsTotal: slots.total,
        slotsAvailable: slots.available,
        jobsRunning: jobs.running,
        jobsFinished: jobs.finished,
        jobsCancelled: jobs.cancelled,
        jobsFailed: jobs.failed,
        applicationId: '',
        taskExecutorInfos: executors.map((executor) => ({
          id: executor.taskExecutorId,
          address: executor.address,
          pid: executor.pid,
          slots: executor.slots.map(slotToMessage),
        })),
      };
    },

    async shutDownCluster(request) {
      await dispatcher.shutDownCluster(request.reason || 'a client called ShutDownCluster');
      return {};
    },

    async renewClusterLease(request) {
      // The holder only names the renewer in the log, so a hostile one cannot fill it.
      lease?.renew(request.holder.slice(0, 200));
      return { leaseTimeMs: lease?.leaseTimeMs ?? 0 };
    },

    async registerTaskExecutor(request) {
      if (!request.taskExecutorId) throw new InvalidArgumentError('task_executor_id is required');
      if (!request.address)
        throw new InvalidArgumentError('address is required: where the job manager reaches the task executor');
      return resourceManager.register({
        taskExecutorId: request.taskExecutorId,
        address: checkDialAddress(request.address, 'address'),
        slots: request.slots.map(slotFromMessage),
        pid: request.pid,
        hostname: request.hostname,
      });
    },

    async heartbeatFromTaskExecutor(request) {
      const registered = resourceManager.heartbeat(request.taskExecutorId, request.slots.map(slotFromMessage));
      const metrics = taskExecutorMetricsFromMessage(request.metrics);
      if (registered && metrics) onTaskExecutorMetrics?.(request.taskExecutorId, metrics);
      return {
        registered,
        unknownExecutionAttemptIds: dispatcher.unknownExecutionAttempts(request.runningExecutionAttemptIds),
      };
    },

    async reportSlots(request) {
      resourceManager.reportSlots(request.taskExecutorId, request.slots.map(slotFromMessage));
      return {};
    },

    async updateTaskExecutionState(request) {
      const accepted = dispatcher.updateTaskExecutionState({
        taskExecutorId: request.taskExecutorId,
        jobId: requireJobId(request.jobId),
        executionAttemptId: request.executionAttemptId,
        state: executionStateFromMessage(request.state, 'state'),
        failure: serializedErrorFromMessage(request.failure),
      });
      return { accepted };
    },

    async reportCollectedRecords(request) {
      const records = decodeRecords(request.records);
      const sizeBytes = request.records?.payload.byteLength ?? 0;
      return {
        accepted: dispatcher.reportCollectedRecords(
          requireJobId(request.jobId),
          request.executionAttemptId,
          records,
          sizeBytes,
        ),
      };
    },

    async acknowledgeCheckpoint(request) {
      return {
        accepted: dispatcher.acknowledgeCheckpoint(
          requireJobId(request.jobId),
          request.executionAttemptId,
          toSafeNumber(request.checkpointId, 'checkpoint_id'),
          // Copied: the decoded bytes are a view into memory the transport may reuse.
          new Uint8Array(request.state),
        ),
      };
    },

    async declineCheckpoint(request) {
      dispatcher.declineCheckpoint(
        requireJobId(request.jobId),
        request.executionAttemptId,
        toSafeNumber(request.checkpointId, 'checkpoint_id'),
        request.reason,
      );
      return {};
    },

    async reportTaskOutput(request) {
      dispatcher.reportTaskOutput(
        requireJobId(request.jobId),
        request.executionAttemptId,
        outputStreamOf(request.stream),
        request.data,
      );
      return {};
    },
  };
  return hostedService(DispatcherServiceDefinition, implemented);
}

function requireJobId(jobId: string): string {
  if (!jobId) throw new InvalidArgumentError('job_id is required');
  return jobId;
}

function outputStreamOf(stream: LogStream): OutputStream {
  const found = OUTPUT_STREAMS.find(([, message]) => message === stream);
  if (!found) throw new InvalidArgumentError(`stream must be STDOUT, STDERR or LOGGER, got ${stream}`);
  return found[0];
}

function logStreamOf(stream: OutputStream): LogStream {
  return OUTPUT_STREAMS.find(([domain]) => domain === stream)![1];
}

/**
 * Encodes records as JSON-lines batches of at most {@link COLLECTED_BATCH_LIMITS}.maxRecords
 * records and about maxBytes bytes: a batch over the byte bound is split in halves (a single
 * record larger than the bound travels alone).
 */
export function* encodeInBatches(records: readonly unknown[]): Generator<RecordBatch> {
  for (let start = 0; start < records.length; start += COLLECTED_BATCH_LIMITS.maxRecords) {
    yield* fitted(records.slice(start, start + COLLECTED_BATCH_LIMITS.maxRecords));
  }
}

function* fitted(records: readonly unknown[]): Generator<RecordBatch> {
  const batch = encodeRecords(records);
  if (batch.payload.byteLength <= COLLECTED_BATCH_LIMITS.maxBytes || records.length === 1) {
    yield batch;
    return;
  }
  const half = Math.ceil(records.length / 2);
  yield* fitted(records.slice(0, half));
  yield* fitted(records.slice(half));
}
