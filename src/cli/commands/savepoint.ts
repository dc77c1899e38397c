/**
 * `flotilla savepoint APP|JOB [DIR]` and `flotilla stop APP --savepoint DIR`: savepoints of whole
 * applications (TriggerSavepoint, StopApplication). The control plane asks each job's cluster for
 * a savepoint and writes the application savepoint's `_application` manifest, so the path printed
 * is what `flotilla run -s PATH` restores every job from.
 */
import {
  ClusterClientServiceTriggerSavepointResponse,
  StopApplicationResponse,
} from '../../../generated/flotilla/v1/cluster_client_service.js';
import type { ApplicationSavepoint } from '../../../generated/flotilla/v1/events.js';
import { ApplicationStatus } from '../../../generated/flotilla/v1/status.js';
import { UsageError, type CommandSpec, type ParsedCommandLine } from '../options/args.js';
import { CLIENT_OPTIONS } from '../options/commonOptions.js';
import { connectFromOptions } from '../options/controlPlaneConnection.js';
import { outputFormatOf, outputOption } from '../options/outputOption.js';
import { printJson, type OutputFormat } from '../output/outputFormat.js';

const FORMATS: readonly OutputFormat[] = ['text', 'json'];

const SHARED_FOLDER =
  "DIR must be an absolute path that the control plane and every cluster reach (a shared file system, as Flink's state.savepoints.dir): the clusters write the jobs' savepoints into a new folder DIR/app-savepoint-<app>-<random> and the control plane writes its _application manifest.";

export const savepointCommand: CommandSpec = {
  name: 'savepoint',
  summary: "Take a savepoint of an application's running streaming jobs (or of one job); they keep running.",
  description: [
    'With an application id, every RUNNING streaming job of the application takes a savepoint, and the application savepoint folder is printed on stdout: "flotilla run -s PATH" restores each job of a new run from the state saved under its name.',
    'With a job id, only that job takes a savepoint, into a folder of its own under DIR.',
    SHARED_FOLDER,
    'The jobs must checkpoint (env.enableCheckpointing). With -o json it prints the TriggerSavepoint answer.',
  ].join(' '),
  positionals: [
    { name: 'ID', description: 'An application id (app-…) or a job id.', required: true },
    {
      name: 'DIR',
      description:
        'The folder to write the savepoint under; default: the -Dstate.savepoints.dir the application was run with (an error when it has none).',
    },
  ],
  options: [outputOption(FORMATS), ...CLIENT_OPTIONS],
};

export async function runSavepoint(args: ParsedCommandLine): Promise<number> {
  const format = outputFormatOf(args, FORMATS);
  const [id, targetDirectory = ''] = args.positionals;
  const subject = id.startsWith('app-') ? { applicationId: id, jobId: '' } : { applicationId: '', jobId: id };
  const connection = connectFromOptions(args.options);
  try {
    // Not sent again on a broken connection: a second savepoint would be taken.
    const response = await connection.call((client) => client.triggerSavepoint({ ...subject, targetDirectory }));
    if (format === 'json') printJson(ClusterClientServiceTriggerSavepointResponse.toJSON(response));
    else printSavepoint(response.savepoint);
    return 0;
  } finally {
    connection.close();
  }
}

export const stopCommand: CommandSpec = {
  name: 'stop',
  summary:
    'Stop an application with a savepoint: every job drains, takes a final savepoint and ends; then the application ends.',
  description: [
    "Flink's stop-with-savepoint for a whole application: each RUNNING streaming job stops its sources, takes a final savepoint (its sinks commit up to it exactly once) and ends FINISHED; the control plane writes the application savepoint and the application ends (an application whose main() still runs then is cancelled).",
    'The savepoint folder is printed on stdout; "flotilla run -s PATH" runs a new version from it.',
    SHARED_FOLDER,
    'Use "flotilla cancel" to end an application without a savepoint. With -o json it prints the StopApplication answer.',
  ].join(' '),
  positionals: [{ name: 'APP', description: 'The application id.', required: true }],
  options: [
    {
      name: 'savepoint',
      type: 'string',
      valueName: 'DIR',
      description: 'The folder to write the final savepoint under.',
      defaultHelp: 'the -Dstate.savepoints.dir the application was run with (an error when it has none)',
    },
    outputOption(FORMATS),
    ...CLIENT_OPTIONS,
  ],
};

export async function runStop(args: ParsedCommandLine): Promise<number> {
  const format = outputFormatOf(args, FORMATS);
  const applicationId = args.positionals[0];
  if (!applicationId.startsWith('app-'))
    throw new UsageError(
      `stop takes an application id (app-…), got "${applicationId}"; "flotilla cancel" ends one without a savepoint`,
    );
  const targetDirectory = (args.options.savepoint as string | undefined) ?? '';
  const connection = connectFromOptions(args.options);
  try {
    const response = await connection.call((client) => client.stopApplication({ applicationId, targetDirectory }));
    if (format === 'json') printJson(StopApplicationResponse.toJSON(response));
    else {
      printSavepoint(response.savepoint);
      const status = response.application ? ApplicationStatus[response.application.status] : 'unknown';
      process.stderr.write(`application ${applicationId} stopped with savepoint; it is ${status}\n`);
    }
    return 0;
  } finally {
    connection.close();
  }
}

/** The savepoint's folder on stdout (what `run -s` takes), each job's savepoint on stderr. */
function printSavepoint(savepoint: ApplicationSavepoint | undefined): void {
  if (!savepoint) return;
  for (const job of savepoint.jobs) process.stderr.write(`job "${job.jobName}" (${job.jobId}): ${job.path}\n`);
  process.stdout.write(`${savepoint.path || savepoint.jobs[0]?.path || ''}\n`);
}
