/**
 * Converts `flotilla.v1.DriverReplay` (what the control plane sends with a later driver attempt's
 * job) into the Dispatcher's {@link DriverReplay}: each recorded submission with its result and
 * collected records decoded, so the Dispatcher can answer a replayed job as if it had run here.
 */
import type { DriverReplay as DriverReplayMessage } from '../../../generated/flotilla/v1/dispatcher_service.js';
import { decodeRecords } from '../../rpc/convert/records.js';
import { jobStatusFromMessage, serializedErrorFromMessage } from '../../rpc/convert/status.js';
import { toSafeNumber } from '../../rpc/longs.js';
import type { DriverReplay } from '../DriverReplay.js';

/** The domain replay of a message; undefined when none was sent. */
export function driverReplayFromMessage(message: DriverReplayMessage | undefined): DriverReplay | undefined {
  if (!message || message.attempt === 0) return undefined;
  return {
    attempt: message.attempt,
    attempts: Math.max(message.attempts, message.attempt),
    submissions: message.submissions.map((submission) => {
      const recorded = submission.result?.result;
      const collected = new Map<string, unknown[]>();
      for (const { vertexId, records } of submission.result?.collected ?? [])
        collected.set(vertexId, [...(collected.get(vertexId) ?? []), ...decodeRecords(records)]);
      return {
        ordinal: submission.ordinal,
        fingerprint: submission.fingerprint,
        jobId: submission.jobId,
        jobName: submission.jobName,
        attempt: submission.attempt,
        ...(recorded
          ? {
              result: {
                jobId: submission.jobId,
                status: jobStatusFromMessage(recorded.status, 'result.status'),
                ...(recorded.failure ? { failure: serializedErrorFromMessage(recorded.failure)! } : {}),
                durationMs: toSafeNumber(recorded.durationMs, 'result.duration_ms'),
                collected,
              },
            }
          : {}),
      };
    }),
  };
}
