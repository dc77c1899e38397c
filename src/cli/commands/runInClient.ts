/**
 * `flotilla run` in session mode (`-m HOST:PORT` or `--cluster ID`) and per-job mode (`--target
 * per-job`): main() runs in this process, and every job it starts goes through the control plane,
 * which records them as one application. Attached (the default), the command prints the
 * application's events while main() runs, waits for every job main() started, and exits 0 only
 * when the application FINISHED. Detached (`-d`), it exits once main() returned, leaving the jobs
 * main() did not wait for running; `flotilla watch APP` follows them.
 */
import { SubmissionMode } from '../../../generated/flotilla/v1/status.js';
import { connectFromOptions } from '../options/controlPlaneConnection.js';
import { runApplication, type ClusterChoice } from '../../client/runApplication.js';
import { runClientMain } from '../../client/runClientMain.js';
import { UsageError, type ParsedCommandLine } from '../options/args.js';
import { followApplication } from '../output/followApplication.js';
import { statusLine } from '../output/statusLine.js';
import { printAcceptedApplication } from '../output/acceptedApplication.js';
import { EVENT_FORMATS, outputFormatOf } from '../options/outputOption.js';
import { applicationRequestOf, deployedCluster, namedCluster, uploadProgress } from '../options/applicationRequest.js';

/** Runs the client-side modes; resolves with the exit code. */
export async function runInClient(args: ParsedCommandLine, mode: 'session' | 'per-job'): Promise<number> {
  const options = args.options;
  const detached = options.detached === true;
  if (detached && options.follow === true)
    throw new UsageError(
      '-d (detached) and --follow contradict each other: attached runs (without -d) already follow the application',
    );
  const cluster = clusterOf(options, mode);
  const [bundlePath, ...programArgs] = args.positionals;
  const connection = connectFromOptions(options);
  // main()'s submissions and the events share stderr, so both go through one status line.
  const lines = statusLine({ quiet: options.quiet === true });
  const write = (line: string) => lines.print(line);
  try {
    let artifactId = '';
    const request = applicationRequestOf(
      args,
      cluster,
      mode === 'session' ? SubmissionMode.SESSION : SubmissionMode.PER_JOB,
      detached,
    );
    const { application, deduplicated } = await runApplication(
      connection,
      request,
      uploadProgress(options, (id) => (artifactId = id)),
    );
    const format = outputFormatOf(args, EVENT_FORMATS);
    printAcceptedApplication(format, application, deduplicated);
    if (deduplicated) {
      write(
        `request already submitted as application ${application.id}; its main() ran then, so it is not run again: follow it with "flotilla watch ${application.id}"`,
      );
      return detached ? 0 : await followApplication(connection, application.id, { json: format === 'json', lines });
    }
    write(
      `submitted application ${application.id} (${application.name}) in ${mode} mode${detached ? ', detached' : ''}; main() runs in this process`,
    );
    // Attached: the application's events are shown while main() runs, and the exit code is its outcome.
    const outcome = detached
      ? undefined
      : followApplication(connection, application.id, { json: format === 'json', lines });
    void outcome?.catch(() => undefined);
    const failure = await runClientMain({
      connection,
      application,
      bundlePath,
      artifactId,
      args: programArgs,
      onJobSubmitted: (jobId, clusterId, jobName) =>
        write(`job ${jobId} (${jobName}) submitted to cluster ${clusterId}`),
    });
    if (failure) write(`main() failed: ${failure.name}: ${failure.message}`);
    if (outcome) return await outcome;
    write(
      failure
        ? `main() failed; the control plane cancels the application's jobs`
        : `main() returned; jobs it did not wait for keep running: follow them with "flotilla watch ${application.id}"`,
    );
    return failure ? 1 : 0;
  } finally {
    lines.close();
    connection.close();
  }
}

/** The cluster of the mode: session mode needs one named, per-job mode deploys one per job. */
function clusterOf(options: ParsedCommandLine['options'], mode: 'session' | 'per-job'): ClusterChoice {
  const named = namedCluster(options);
  if (mode === 'per-job') {
    if (named)
      throw new UsageError(
        '--target per-job deploys a new cluster for every job and cannot use -m/--cluster; drop them, or leave out --target per-job to run on that cluster (session mode)',
      );
    return deployedCluster(options);
  }
  if (named) return named;
  throw new UsageError(
    'session mode runs the jobs on a cluster you name: give -m HOST:PORT (a job manager) or --cluster ID (flotilla cluster list); or use -D (driver mode) or --target per-job, which deploy a cluster for you',
  );
}
