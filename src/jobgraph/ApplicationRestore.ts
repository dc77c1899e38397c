/**
 * Where the jobs of an application restore their state from (`flotilla run -s/-n/-r`): a
 * savepoint path per job name. In driver and application mode the Dispatcher hands each job that
 * `main()` submits the path filed under its name, as the job graph's SavepointRestoreSettings,
 * unless the graph carries one of its own; the first job of a name claims it. Mirrors
 * `flotilla.v1.ApplicationRestore`; `src/runtime/service/applicationRestore.ts` converts.
 */
import type { SavepointRestoreSettings } from './jobGraph.js';

/** The state one job of an application restores from. */
export interface JobRestore {
  /** The job's name as `main()` gave it to `execute()`, without the application's name prefix (the prefixed name matches too). */
  jobName: string;
  /** A savepoint or checkpoint folder, or a job's checkpoint folder (its latest complete `chk-<n>`). */
  path: string;
}

/** What an application's jobs restore from. */
export interface ApplicationRestore {
  jobs: JobRestore[];
  /** Whether state that maps to no operator of its job's graph may be skipped (`-n`). */
  allowNonRestoredState: boolean;
}

/**
 * The restore settings of a job named `jobName` of the application `applicationName`, if
 * `restore` names it: by the name `main()` gave it, or by its full prefixed name.
 */
export function jobRestoreFor(
  restore: ApplicationRestore | undefined,
  applicationName: string,
  jobName: string,
): SavepointRestoreSettings | undefined {
  if (!restore) return undefined;
  const prefix = `${applicationName}: `;
  const shortName = jobName.startsWith(prefix) ? jobName.slice(prefix.length) : jobName;
  const match = restore.jobs.find((job) => job.jobName === shortName || job.jobName === jobName);
  return match && { path: match.path, allowNonRestoredState: restore.allowNonRestoredState };
}
