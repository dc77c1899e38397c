/**
 * The control plane's durable copy of a driver-submitted job's result (replay): the parts of the
 * cluster's result stream (collected records, then the result) folded into one
 * `flotilla.v1.RecordedJobResult` and kept as bytes, within a bound; and the record of earlier
 * driver attempts turned into the `flotilla.v1.DriverReplay` a later attempt's driver job carries.
 */
import type { DriverReplay } from '../../../generated/flotilla/v1/dispatcher_service.js';
import { RecordedJobResult } from '../../../generated/flotilla/v1/dispatcher_service.js';
import type { DriverReplayRecord, JobResultPart } from '../clusters/DispatcherGateway.js';
import { jobResultPartMessage } from './relayedJobResultPart.js';

/** The encoded result and records of a job's result stream; undefined once they pass `maxBytes`. */
export async function recordJobResult(
  parts: AsyncIterable<JobResultPart>,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  const record: RecordedJobResult = { result: undefined, collected: [] };
  let bytes = 0;
  for await (const part of parts) {
    const message = jobResultPartMessage(part);
    if (message.$case === 'collected') {
      bytes += message.collected.records?.payload.length ?? 0;
      if (bytes > maxBytes) return undefined;
      record.collected.push(message.collected);
    } else {
      record.result = message.result;
      break;
    }
  }
  if (!record.result) return undefined;
  const encoded = RecordedJobResult.encode(record).finish();
  return encoded.length > maxBytes ? undefined : encoded;
}

/** The replay record as the message a driver job's submission carries. */
export function driverReplayToMessage(record: DriverReplayRecord | undefined): DriverReplay | undefined {
  if (!record) return undefined;
  return {
    attempt: record.attempt,
    attempts: record.attempts,
    submissions: record.submissions.map((submission) => ({
      ordinal: submission.ordinal,
      fingerprint: submission.fingerprint,
      jobId: submission.jobId,
      jobName: submission.jobName,
      attempt: submission.attempt,
      result: submission.result ? RecordedJobResult.decode(submission.result) : undefined,
    })),
  };
}
