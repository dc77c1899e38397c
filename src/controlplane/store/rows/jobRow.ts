/** The columns of the `jobs` table a job is read from, in either store. */
import type { JobStatus, SerializedError } from '../../../common/status.js';
import type { Job } from '../../model/Job.js';
import type { ColumnCodec } from './ColumnCodec.js';

/** A row as a store reads it, with its database's instants. */
export interface JobRow<Time> {
  ordinal: number;
  id: string;
  application_id: string;
  cluster_id: string;
  name: string;
  living_priority: Job['livingPriority'];
  status: JobStatus;
  restarts: number;
  request_id: string | null;
  created_at: Time;
  ended_at: Time | null;
  failure_json: string | null;
}

/** The job of a row. */
export function jobFromRow<Time>(row: JobRow<Time>, codec: ColumnCodec<Time, unknown>): Job {
  const job: Job = {
    id: row.id,
    applicationId: row.application_id,
    clusterId: row.cluster_id,
    name: row.name,
    livingPriority: row.living_priority,
    status: row.status,
    restarts: row.restarts,
    requestId: row.request_id ?? '',
    createTime: codec.date(row.created_at),
  };
  if (row.ended_at !== null) job.endTime = codec.date(row.ended_at);
  if (row.failure_json) job.failure = JSON.parse(row.failure_json) as SerializedError;
  return job;
}
