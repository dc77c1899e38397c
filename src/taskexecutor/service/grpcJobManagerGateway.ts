/** {@link JobManagerGateway} over gRPC: a task executor's client of its job manager's DispatcherService. */
import { LogStream } from '../../../generated/flotilla/v1/common.js';
import { DispatcherServiceDefinition } from '../../../generated/flotilla/v1/dispatcher_service.js';
import type { JobManagerGateway, TaskOutputStream } from '../../runtime/JobManagerGateway.js';
import { encodeRecords } from '../../rpc/convert/records.js';
import { slotToMessage } from '../../runtime/service/slots.js';
import { taskExecutorMetricsToMessage } from '../../runtime/service/taskExecutorMetrics.js';
import { executionStateToMessage, serializedErrorToMessage } from '../../rpc/convert/status.js';
import { connectClient } from '../../rpc/security/channelCredentials.js';
import type { ClientSecurity } from '../../rpc/security/ClientSecurity.js';

/** The contract's stream of each kind of task output. */
const LOG_STREAMS: Record<TaskOutputStream, LogStream> = {
  stdout: LogStream.STDOUT,
  stderr: LogStream.STDERR,
  logger: LogStream.LOGGER,
};

/** Connects to the DispatcherService at `address` with `security` (TLS, the cluster's secret); each call gives up after `callTimeoutMs`. */
export function grpcJobManagerGateway(
  address: string,
  callTimeoutMs = 5000,
  security?: ClientSecurity,
): JobManagerGateway {
  const { channel, client } = connectClient(DispatcherServiceDefinition, address, security);
  const signal = () => ({ signal: AbortSignal.timeout(callTimeoutMs) });
  return {
    async registerTaskExecutor(registration) {
      return client.registerTaskExecutor({ ...registration, slots: registration.slots.map(slotToMessage) }, signal());
    },
    async heartbeat(taskExecutorId, slots, runningExecutionAttemptIds, metrics) {
      const answer = await client.heartbeatFromTaskExecutor(
        {
          taskExecutorId,
          slots: slots.map(slotToMessage),
          runningExecutionAttemptIds,
          metrics: metrics && taskExecutorMetricsToMessage(metrics),
        },
        signal(),
      );
      return { registered: answer.registered, unknownExecutionAttemptIds: answer.unknownExecutionAttemptIds };
    },
    async updateTaskExecutionState(report) {
      const answer = await client.updateTaskExecutionState(
        {
          ...report,
          state: executionStateToMessage(report.state),
          failure: report.failure && serializedErrorToMessage(report.failure),
        },
        signal(),
      );
      return answer.accepted;
    },
    async reportCollectedRecords(jobId, executionAttemptId, records) {
      const answer = await client.reportCollectedRecords(
        { jobId, executionAttemptId, records: encodeRecords(records) },
        signal(),
      );
      return answer.accepted;
    },
    async acknowledgeCheckpoint(jobId, executionAttemptId, checkpointId, state) {
      const answer = await client.acknowledgeCheckpoint(
        {
          jobId,
          executionAttemptId,
          checkpointId: BigInt(checkpointId),
          state: Buffer.from(state.buffer, state.byteOffset, state.byteLength),
        },
        signal(),
      );
      return answer.accepted;
    },
    async declineCheckpoint(jobId, executionAttemptId, checkpointId, reason) {
      await client.declineCheckpoint(
        { jobId, executionAttemptId, checkpointId: BigInt(checkpointId), reason },
        signal(),
      );
    },
    async reportTaskOutput(jobId, executionAttemptId, stream, data) {
      await client.reportTaskOutput(
        {
          jobId,
          executionAttemptId,
          stream: LOG_STREAMS[stream],
          data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
        },
        signal(),
      );
    },
    close: () => channel.close(),
  };
}
