/**
 * Turns what a RunApplication asks to restore from into a path per job name, when the application
 * is accepted, so every mode hands its jobs the same settings (savepoints/, modes/, jobs/):
 *
 * - `-s PATH` of an application savepoint (a folder with `_application`): each job listed there;
 * - `-s PATH` of one job's savepoint or checkpoint (`_metadata`) or of a job's checkpoint folder
 *   (`<state.checkpoints.dir>/<jobId>` with `chk-<n>` folders): that job, found by its id among the
 *   tenant's jobs, under its name (for an application of one job);
 * - `-r`: the previous run, the tenant's newest application of the same name, once it ended; each
 *   of its jobs that has a retained checkpoint in `<state.checkpoints.dir>/<jobId>` (the job
 *   manager restores that folder's latest complete checkpoint).
 *
 * The control plane reads these folders itself, so they must be on a file system it shares with
 * the clusters. A path that is missing or holds none of these is INVALID_ARGUMENT naming it.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { FailedPreconditionError, InvalidArgumentError } from '../../common/errors.js';
import { CHECKPOINTS_DIRECTORY_PROPERTY } from '../../jobgraph/CheckpointingSettings.js';
import type { SavepointSettings } from '../model/Application.js';
import { jobNameWithinApplication, type JobRestore } from '../model/ApplicationSavepoint.js';
import { isTerminalApplicationStatus } from '../model/ApplicationStatus.js';
import type { ApplicationStore } from '../store/ApplicationStore.js';
import type { JobStore } from '../store/JobStore.js';
import { JOB_METADATA, holds, readApplicationManifest } from './applicationSavepointManifest.js';

/** Where the resolution looks up earlier applications and jobs. */
export interface RestoreLookup {
  applications: Pick<ApplicationStore, 'findLatestByName' | 'find'>;
  jobs: Pick<JobStore, 'find' | 'ofApplication'>;
}

/**
 * `requested` (compiled: an absolute path, or `resume`) with the jobs to restore filled in, for an
 * application of `name` submitted by `tenant`.
 */
export async function resolveRestore(
  requested: SavepointSettings,
  name: string,
  tenant: string,
  lookup: RestoreLookup,
): Promise<SavepointSettings> {
  if (requested.resume) return resumeFromPreviousRun(requested, name, tenant, lookup);
  return { ...requested, jobs: await savepointJobs(requested.path, tenant, lookup) };
}

/** The jobs a savepoint path restores. */
async function savepointJobs(path: string, tenant: string, lookup: RestoreLookup): Promise<JobRestore[]> {
  if (!(await isFolder(path))) {
    throw new InvalidArgumentError(
      `savepoint.path "${path}" is not a folder the control plane can read: name an application savepoint (flotilla savepoint and flotilla stop --savepoint print it), on a file system the control plane shares with the clusters`,
    );
  }
  const manifest = await readApplicationManifest(path);
  if (manifest) {
    for (const job of manifest.jobs) {
      if (!(await holds(job.path, JOB_METADATA)))
        throw new InvalidArgumentError(
          `the application savepoint "${path}" names "${job.path}" for job "${job.jobName}", which holds no ${JOB_METADATA}: the savepoint is not whole`,
        );
    }
    return manifest.jobs.map(({ jobName, path: jobPath }) => ({ jobName, path: jobPath }));
  }
  if (await holds(path, JOB_METADATA)) {
    const jobId = await jobIdOfMetadata(join(path, JOB_METADATA));
    return [{ jobName: await jobNameOf(jobId, path, tenant, lookup), path }];
  }
  if ((await completeCheckpoints(path)) > 0)
    return [{ jobName: await jobNameOf(basename(path), path, tenant, lookup), path }];
  throw new InvalidArgumentError(
    `savepoint.path "${path}" holds neither _application (an application savepoint), nor ${JOB_METADATA} (one job's savepoint or checkpoint), nor complete chk-<n> checkpoints (a job's checkpoint folder)`,
  );
}

/** `-r`: each job of the previous run of `name` that retained a checkpoint. */
async function resumeFromPreviousRun(
  requested: SavepointSettings,
  name: string,
  tenant: string,
  lookup: RestoreLookup,
): Promise<SavepointSettings> {
  const previous = await lookup.applications.findLatestByName(name, tenant);
  if (!previous) {
    throw new InvalidArgumentError(
      `resume (-r) found no earlier application named "${name}" to resume from: run it without -r, or give the name of the earlier run (--name)`,
    );
  }
  if (!isTerminalApplicationStatus(previous.status)) {
    throw new FailedPreconditionError(
      `resume (-r): the previous run of "${name}", application ${previous.id}, is ${previous.status}; stop it first (flotilla stop ${previous.id} --savepoint DIR, then run -s DIR; or flotilla cancel ${previous.id}, then run -r)`,
    );
  }
  const directory = previous.properties[CHECKPOINTS_DIRECTORY_PROPERTY]?.trim().replace(/^file:\/\//, '');
  const byName = new Map<string, JobRestore>();
  if (directory) {
    for (const job of await lookup.jobs.ofApplication(previous.id)) {
      if (job.livingPriority === 'DRIVER') continue;
      const folder = join(directory, job.id);
      // Oldest first: a later job of the same name wins.
      if ((await completeCheckpoints(folder)) > 0)
        byName.set(job.name, { jobName: jobNameWithinApplication(job.name, previous.name), path: folder });
    }
  }
  if (byName.size === 0) {
    throw new InvalidArgumentError(
      directory
        ? `resume (-r): no job of application ${previous.id}, the previous run of "${name}", retained a complete checkpoint under ${directory}`
        : `resume (-r): application ${previous.id}, the previous run of "${name}", kept its checkpoints in its job managers' memory only (it was run without -D${CHECKPOINTS_DIRECTORY_PROPERTY}=DIR), so they were lost with them`,
    );
  }
  return { ...requested, jobs: [...byName.values()], resumedFrom: previous.id };
}

/** The name within its application of the tenant's job `jobId`, whose state `path` holds. */
async function jobNameOf(jobId: string, path: string, tenant: string, lookup: RestoreLookup): Promise<string> {
  const job = jobId ? await lookup.jobs.find(jobId) : undefined;
  const application = job && (await lookup.applications.find(job.applicationId));
  if (!job || !application || application.tenant !== tenant) {
    throw new InvalidArgumentError(
      `savepoint.path "${path}" is the state of one job (${jobId || 'unnamed'}) that this control plane does not know, so it cannot tell which job of the application restores it: restore from an application savepoint (a folder with _application, made by flotilla savepoint or flotilla stop --savepoint)`,
    );
  }
  return jobNameWithinApplication(job.name, application.name);
}

/** The job id a `_metadata` manifest names; empty when it names none. */
async function jobIdOfMetadata(file: string): Promise<string> {
  try {
    const { jobId } = JSON.parse(await readFile(file, 'utf8')) as { jobId?: unknown };
    return typeof jobId === 'string' ? jobId : '';
  } catch (error) {
    throw new InvalidArgumentError(`cannot read the savepoint manifest ${file}: ${(error as Error).message}`);
  }
}

/** How many complete checkpoints (`chk-<n>` with `_metadata`) a job's checkpoint folder holds; 0 when it is none. */
async function completeCheckpoints(folder: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return 0;
  }
  let complete = 0;
  for (const name of names) if (/^chk-\d+$/.test(name) && (await holds(join(folder, name), JOB_METADATA))) complete++;
  return complete;
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
