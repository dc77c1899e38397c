/** Converts {@link ApplicationRestore} between `flotilla.v1.ApplicationRestore` and the domain's. */
import type { ApplicationRestore as ApplicationRestoreMessage } from '../../../generated/flotilla/v1/dispatcher_service.js';
import { InvalidArgumentError } from '../../common/errors.js';
import type { ApplicationRestore } from '../../jobgraph/ApplicationRestore.js';

/** A message as the domain's restore; undefined when it names no job. Empty names or paths are INVALID_ARGUMENT. */
export function applicationRestoreFromMessage(
  message: ApplicationRestoreMessage | undefined,
  field = 'restore',
): ApplicationRestore | undefined {
  if (!message || message.jobs.length === 0) return undefined;
  const names = new Set<string>();
  for (const [index, job] of message.jobs.entries()) {
    if (!job.jobName) throw new InvalidArgumentError(`${field}.jobs[${index}].job_name is required`);
    if (!job.path.startsWith('/'))
      throw new InvalidArgumentError(
        `${field}.jobs[${index}].path must be an absolute path (a savepoint or checkpoint folder), got "${job.path}"`,
      );
    if (names.has(job.jobName))
      throw new InvalidArgumentError(`${field}.jobs names the job "${job.jobName}" twice; give each job one path`);
    names.add(job.jobName);
  }
  return {
    jobs: message.jobs.map((job) => ({ jobName: job.jobName, path: job.path })),
    allowNonRestoredState: message.allowNonRestoredState,
  };
}

/** The domain's restore as its message; undefined for none. */
export function applicationRestoreToMessage(
  restore: ApplicationRestore | undefined,
): ApplicationRestoreMessage | undefined {
  return (
    restore && {
      jobs: restore.jobs.map((job) => ({ jobName: job.jobName, path: job.path })),
      allowNonRestoredState: restore.allowNonRestoredState,
    }
  );
}
