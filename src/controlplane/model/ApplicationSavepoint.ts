/**
 * Savepoints and restores of whole applications, as the control plane records them. An application
 * savepoint is one savepoint per streaming job, listed under each job's name within the application
 * in the `_application` manifest of the savepoint's folder; a restore gives each job of a new run
 * the state of the job of the same name (Flink matches operators by uid inside each job).
 */

import type { ApplicationRestore, JobRestore } from '../../jobgraph/ApplicationRestore.js';

export type { JobRestore };

/** One job's savepoint within an application savepoint. */
export interface JobSavepoint {
  jobId: string;
  /** The job's name within the application, without the application's name before it. */
  jobName: string;
  /** The job's savepoint folder (with its `_metadata`). */
  path: string;
}

/** A savepoint of an application's jobs. */
export interface ApplicationSavepoint {
  applicationId: string;
  /** The folder holding the `_application` manifest; empty for a savepoint of one job only. */
  path: string;
  jobs: JobSavepoint[];
  createTime: Date;
}

/** What a job's full name is within its application: the name without `"<application name>: "` before it. */
export function jobNameWithinApplication(jobName: string, applicationName: string): string {
  const prefix = `${applicationName}: `;
  return jobName.startsWith(prefix) ? jobName.slice(prefix.length) : jobName;
}

/** What the application's jobs restore from, as resolved when it was accepted; undefined when nothing. */
export function applicationRestoreOf(application: {
  savepoint?: { jobs?: JobRestore[]; allowNonRestoredState: boolean };
}): ApplicationRestore | undefined {
  const jobs = application.savepoint?.jobs ?? [];
  return jobs.length === 0
    ? undefined
    : { jobs: jobs.map((job) => ({ ...job })), allowNonRestoredState: application.savepoint!.allowNonRestoredState };
}
