/**
 * Reads a RequestJobResult stream (the Dispatcher's or the control plane's: both send the records
 * of each collect() sink, then the result last) into the SDK's {@link JobResultWithRecords}.
 */
import type { CollectedRecords } from '../../../generated/flotilla/v1/common.js';
import type { JobResult } from '../../../generated/flotilla/v1/job_graph.js';
import type { JobResultWithRecords } from '../../api/JobSubmitter.js';
import { UnavailableError } from '../../common/errors.js';
import { toSafeNumber } from '../../rpc/longs.js';
import { decodeRecords } from '../../rpc/convert/records.js';
import { jobStatusFromMessage, serializedErrorFromMessage } from '../../rpc/convert/status.js';

/** One message of a result stream. */
export interface JobResultStreamMessage {
  part?:
    | { $case: 'collected'; collected: CollectedRecords }
    | { $case: 'result'; result: JobResult }
    | { $case: string }
    | undefined;
}

/** The job's records and result; UnavailableError naming `source` when the stream ends without a result. */
export async function readJobResultStream(
  stream: AsyncIterable<JobResultStreamMessage>,
  jobId: string,
  source: string,
): Promise<JobResultWithRecords> {
  const collected = new Map<string, unknown[]>();
  for await (const { part } of stream) {
    if (part?.$case === 'collected') {
      const { vertexId, records } = (part as { collected: CollectedRecords }).collected;
      const kept = collected.get(vertexId) ?? [];
      for (const record of decodeRecords(records)) kept.push(record);
      collected.set(vertexId, kept);
    } else if (part?.$case === 'result') {
      const { result } = part as { result: JobResult };
      return {
        jobId,
        status: jobStatusFromMessage(result.status, 'result.status'),
        failure: serializedErrorFromMessage(result.failure),
        durationMs: toSafeNumber(result.durationMs, 'result.duration_ms'),
        collected,
      };
    }
  }
  throw new UnavailableError(`${source} ended the result stream of job ${jobId} without a result`);
}
