/**
 * The `_application` manifest of an application savepoint: which savepoint each job of the
 * application has, under the job's name within the application. The control plane makes the
 * savepoint's folder `<DIR>/app-savepoint-<first 8 of the application id>-<random>`, the clusters
 * write each job's savepoint into it, and the manifest is written last, into a temporary file
 * renamed into place, so a folder with `_application` is always a whole savepoint. Job paths inside
 * the folder are stored relative to it, so the folder may be moved as a whole.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.js';
import type { ApplicationSavepoint, JobSavepoint } from '../model/ApplicationSavepoint.js';

/** The manifest's file name in an application savepoint's folder. */
export const APPLICATION_MANIFEST = '_application';
/** The manifest's file name in a job's savepoint or checkpoint folder (written by the job manager). */
export const JOB_METADATA = '_metadata';

/** The manifest as written (JSON). */
export interface ApplicationSavepointManifest {
  applicationId: string;
  name: string;
  createdAt: string;
  jobs: JobSavepoint[];
}

/**
 * Makes a new application savepoint folder under `directory` (which must exist), with the mode of
 * `directory` itself, so the clusters (perhaps other users) may write their jobs' savepoints into it
 * where they may write into `directory`.
 */
export async function makeApplicationSavepointFolder(directory: string, applicationId: string): Promise<string> {
  let mode: number;
  try {
    mode = (await stat(directory)).mode & 0o7777;
  } catch {
    throw new InvalidArgumentError(
      `the savepoint folder "${directory}" does not exist or the control plane cannot read it: make it on a file system the control plane and the clusters share`,
    );
  }
  const folder = join(
    directory,
    `app-savepoint-${applicationId.replace(/^app-/, '').slice(0, 8)}-${randomBytes(4).toString('hex')}`,
  );
  try {
    await mkdir(folder);
    await chmod(folder, mode);
  } catch (error) {
    throw new InvalidArgumentError(
      `the control plane cannot make a folder in the savepoint folder "${directory}": ${(error as Error).message}`,
    );
  }
  return folder;
}

/** Writes `savepoint`'s manifest into its folder, atomically (temporary file, then rename). */
export async function writeApplicationManifest(savepoint: ApplicationSavepoint, name: string): Promise<void> {
  const manifest: ApplicationSavepointManifest = {
    applicationId: savepoint.applicationId,
    name,
    createdAt: savepoint.createTime.toISOString(),
    jobs: savepoint.jobs.map((job) => ({ ...job, path: relativeInside(savepoint.path, job.path) })),
  };
  const temporary = join(savepoint.path, `.${APPLICATION_MANIFEST}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(temporary, `${JSON.stringify(manifest, undefined, 2)}\n`, { mode: 0o644 });
  await rename(temporary, join(savepoint.path, APPLICATION_MANIFEST));
}

/** The manifest of the application savepoint in `folder`, its job paths absolute; undefined when the folder has none. */
export async function readApplicationManifest(folder: string): Promise<ApplicationSavepointManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(folder, APPLICATION_MANIFEST), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InvalidArgumentError(`cannot read ${join(folder, APPLICATION_MANIFEST)}: ${(error as Error).message}`);
  }
  let manifest: ApplicationSavepointManifest;
  try {
    manifest = JSON.parse(text) as ApplicationSavepointManifest;
    if (!Array.isArray(manifest.jobs)) throw new Error('it lists no jobs');
  } catch (error) {
    throw new InvalidArgumentError(
      `${join(folder, APPLICATION_MANIFEST)} is not an application savepoint manifest: ${(error as Error).message}`,
    );
  }
  return {
    ...manifest,
    jobs: manifest.jobs.map((job) => ({ ...job, path: isAbsolute(job.path) ? job.path : resolve(folder, job.path) })),
  };
}

/** Whether `folder` holds a file `name`. */
export async function holds(folder: string, name: string): Promise<boolean> {
  try {
    await access(join(folder, name), constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** `path` relative to `folder` when it lies inside it, else as it is. */
function relativeInside(folder: string, path: string): string {
  const inside = relative(folder, path);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}
