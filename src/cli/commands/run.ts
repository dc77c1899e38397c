/**
 * `flotilla run`: submits an application through the control plane. Driver mode (`-D`) runs main()
 * as a driver job inside the cluster, so this process may exit (and the laptop close) as soon as
 * the control plane has accepted the application.
 */
import { SubmissionMode } from '../../../generated/flotilla/v1/status.js';
import { connectFromOptions } from '../options/controlPlaneConnection.js';
import { runApplication } from '../../client/runApplication.js';
import { UsageError, type CommandSpec, type OptionSpec, type ParsedCommandLine } from '../options/args.js';
import { CLIENT_OPTIONS, QUIET_OPTION } from '../options/commonOptions.js';
import { followApplication } from '../output/followApplication.js';
import { printAcceptedApplication } from '../output/acceptedApplication.js';
import { EVENT_FORMATS, outputFormatOf, outputOption } from '../options/outputOption.js';
import { KUBERNETES_CLUSTER_OPTIONS } from '../options/kubernetesClusterOptions.js';
import { applicationRequestOf, deployedCluster, namedCluster, uploadProgress } from '../options/applicationRequest.js';

/** A number option whose 0 leaves the value to a rule, which help states as `defaultHelp`. */
const number = (
  name: string,
  aliases: string[],
  valueName: string,
  description: string,
  defaultHelp: string,
): OptionSpec => ({ name, aliases, type: 'number', valueName, description, default: 0, defaultHelp });

export const runCommand: CommandSpec = {
  name: 'run',
  summary: "Run an application (a bundle's main(env, args)) in session, per-job, application or driver mode.",
  description: [
    "Session mode (-m HOST:PORT or --cluster ID, without -D): main() runs in this process and its jobs go through the control plane to that cluster, recorded as one application; the command prints the application's events, waits for every job main() started and exits 0 only for FINISHED. With -d (detached) it exits as soon as main() returned and leaves the jobs main() did not wait for running.",
    'Per-job mode (--target per-job): the same, but every job gets a new cluster of its own, deployed for it and torn down when it ended and its result was read.',
    'Application mode (--target application): like driver mode, but main() runs inside the job manager of a cluster deployed for the application (never a named one), which ends with it.',
    'Driver mode (-D): the bundle is uploaded (unless the control plane has it), the control plane deploys a session cluster for it (or uses the one named with -m or --cluster) and runs main() there as a driver job; the application id is printed on stdout and the command exits once the control plane accepted it, so this process may end. --follow instead streams its events to stderr until it ends and exits 0 for FINISHED, 1 otherwise.',
  ].join(' '),
  positionals: [
    { name: 'BUNDLE', description: 'Bundle folder (with a package.json) or .tgz.', required: true },
    { name: 'ARGS', description: 'Arguments passed to main(); everything after BUNDLE, options included.', rest: true },
  ],
  options: [
    {
      name: 'driver',
      aliases: ['-D'],
      type: 'boolean',
      description: 'Driver mode: run main() as a driver job inside the cluster (FLIP-40).',
    },
    {
      name: 'follow',
      aliases: ['-f'],
      type: 'boolean',
      description: "Stream the application's events until it ends; the exit code is 0 only for FINISHED.",
    },
    {
      name: 'detached',
      aliases: ['-d'],
      type: 'boolean',
      description:
        'Session and per-job modes: exit once main() returned, leaving the jobs it did not wait for running. Not with -D; changes nothing with --target application.',
    },
    {
      name: 'target',
      aliases: ['-t'],
      type: 'string',
      valueName: 'MODE',
      description: 'session, per-job, application or driver; -D is the same as --target driver.',
    },
    {
      name: 'jobmanager',
      aliases: ['-m'],
      type: 'string',
      valueName: 'HOST:PORT',
      description: 'Run on the session cluster whose job manager listens here; it is used as is and never torn down.',
    },
    {
      name: 'cluster',
      type: 'string',
      valueName: 'ID',
      description: 'Run on a shared cluster started with "flotilla cluster start"; never torn down by the application.',
    },
    number(
      'task-executors',
      ['-kn'],
      'N',
      'Task executors of the cluster deployed for the application (per-job mode: for each job).',
      '1',
    ),
    number(
      'slots',
      ['-ks'],
      'N',
      'Slots per task executor of the deployed cluster.',
      'parallelism + 1 in driver mode, for the driver; parallelism in per-job and application modes, and at least what a per-job job needs',
    ),
    {
      name: 'class',
      aliases: ['-c'],
      type: 'string',
      valueName: 'MODULE#EXPORT',
      description: 'Entry point: a module of the bundle and its export.',
      default: '',
      defaultHelp: 'the package.json main and its "main" export',
    },
    number('parallelism', ['-p'], 'N', "Default parallelism of the application's jobs.", '1'),
    {
      name: 'name',
      type: 'string',
      valueName: 'NAME',
      description: "Application name; prefixes its jobs' names.",
      defaultHelp: "the bundle's package name",
    },
    {
      name: 'fromSavepoint',
      aliases: ['-s', '--from-savepoint'],
      type: 'string',
      valueName: 'PATH',
      description:
        "Restore the application's jobs from this savepoint (Flink's -s): an application savepoint folder (with _application, as flotilla savepoint and flotilla stop --savepoint print it), each job restoring the state saved under its name; or one job's savepoint or checkpoint folder (with _metadata), for an application of one job. An absolute path that the control plane reads and the clusters reach (a shared file system); operators are matched by their uid. Any mode.",
    },
    {
      name: 'allowNonRestoredState',
      aliases: ['-n', '--allow-non-restored-state'],
      type: 'boolean',
      description:
        "With -s or -r: allow the saved state to hold state of operators the application no longer has (Flink's -n); without it such a job is refused.",
    },
    {
      name: 'resume',
      aliases: ['-r'],
      type: 'boolean',
      description:
        "Resume from the latest retained checkpoints of the previous run: the newest earlier application of the same name (--name, else the bundle's package name) that ended, each of its jobs' checkpoint folder under its -Dstate.checkpoints.dir restoring the job of the same name (Flink's -r). Not with -s.",
    },
    {
      name: 'driver-heap-memory',
      aliases: ['-Dhm', '--driverheapmemory'],
      type: 'number',
      valueName: 'MB',
      description: 'Heap of the driver (V8 old space), enforced: a driver past it fails.',
      default: 512,
    },
    number(
      'driver-direct-memory',
      ['-Ddm', '--driverdirectmemory'],
      'MB',
      'Buffers and ArrayBuffers the driver may hold, enforced; 0 for no limit.',
      '0, no limit',
    ),
    number(
      'driver-native-memory',
      ['-Dnm', '--drivernativememory'],
      'MB',
      "Native memory of the driver's isolate, enforced; 0 for no limit.",
      '0, no limit',
    ),
    number('driver-cpus', ['-Dc', '--drivercpus'], 'C', "CPU cores the driver's slot must offer.", '0, any slot'),
    {
      name: 'driver-attempts',
      type: 'number',
      valueName: 'N',
      description:
        "With -D: how many times the driver may be started in all (1 to 10). A driver lost with its task executor or cluster is started again while attempts remain; one that threw or passed a limit is not. A later attempt replays the jobs earlier ones submitted instead of running them again (a finished job answers from the control plane's record, a running one is attached to, one lost with its cluster runs again), so main() must submit the same jobs in the same order every time: one that does not fails with NonDeterministicDriverError.",
      defaultHelp: '1, no retry',
    },
    {
      name: 'driver-retry-own-failures',
      type: 'boolean',
      description:
        'With -D and --driver-attempts N: also start the driver again, while attempts remain, when it failed by its own doing (main() threw, a job failed by its own error, a memory or collect limit), not only when it was lost. A later attempt replays what earlier ones submitted, so this suits failures that may pass (a flaky external service); a NonDeterministicDriverError is never retried.',
    },
    {
      name: 'property',
      type: 'properties',
      prefix: '-D',
      description: 'A dynamic property every job carries (repeatable).',
    },
    {
      name: 'request-id',
      type: 'string',
      valueName: 'ID',
      description: 'Makes the submission idempotent: the same id submitted again gives the same application.',
      defaultHelp: 'a new id per invocation',
    },
    {
      ...outputOption(EVENT_FORMATS),
      description:
        'text: the application id on stdout; json: the RunApplication answer on stdout as one line of proto3 JSON, and with --follow each event after it as a JSON line.',
    },
    ...KUBERNETES_CLUSTER_OPTIONS,
    QUIET_OPTION,
    ...CLIENT_OPTIONS,
  ],
};

export async function runRun(args: ParsedCommandLine): Promise<number> {
  const options = args.options;
  const target = (options.target as string | undefined)?.toLowerCase();
  const driver = options.driver === true || target === 'driver';
  // Application mode takes driver mode's path (upload, RunApplication, exit or --follow); main() runs in the job manager instead.
  const applicationMode = target === 'application';
  const mode = applicationMode ? 'application' : 'driver';
  if (applicationMode && options.driver === true)
    throw new UsageError('-D (driver mode) and --target application are two different modes; give one of them');
  if (applicationMode && (options.jobmanager !== undefined || options.cluster !== undefined)) {
    throw new UsageError(
      '--target application always runs on a cluster deployed for the application (main() runs in its job manager) and cannot use -m/--cluster; use -D to run main() on a named cluster',
    );
  }
  if (applicationMode && options.detached === true && options.follow === true)
    throw new UsageError('-d (detached) and --follow contradict each other; give one of them');
  if (driver && options.detached === true) {
    throw new UsageError(
      '-d (detached) cannot be combined with -D: a driver job always runs detached from this command; add --follow to watch it instead',
    );
  }
  if (target !== undefined && !['session', 'per-job', 'application', 'driver'].includes(target)) {
    throw new UsageError(`--target must be session, per-job, application or driver, got "${String(options.target)}"`);
  }
  outputFormatOf(args, EVENT_FORMATS);
  if (options.allowNonRestoredState === true && options.fromSavepoint === undefined && options.resume !== true)
    throw new UsageError('-n/--allowNonRestoredState only applies with -s/--fromSavepoint PATH or -r/--resume');
  if (options.resume === true && options.fromSavepoint !== undefined)
    throw new UsageError(
      "-s/--fromSavepoint and -r/--resume contradict each other: restore either from a savepoint or from the previous run's latest checkpoints",
    );
  if (options.jobmanager !== undefined && options.cluster !== undefined)
    throw new UsageError('give either -m/--jobmanager or --cluster, not both');
  for (const name of [
    'task-executors',
    'slots',
    'parallelism',
    'driver-heap-memory',
    'driver-direct-memory',
    'driver-native-memory',
    'driver-cpus',
  ]) {
    const value = options[name] as number;
    if (value < 0 || (name !== 'driver-cpus' && !Number.isInteger(value)))
      throw new UsageError(`--${name} must be a whole number of at least 0, got ${value}`);
  }
  const attempts = options['driver-attempts'] as number | undefined;
  if (attempts !== undefined && (!Number.isInteger(attempts) || attempts < 1 || attempts > 10))
    throw new UsageError(`--driver-attempts must be a whole number from 1 to 10, got ${attempts}`);
  if (attempts !== undefined && attempts > 1 && !driver)
    throw new UsageError('--driver-attempts applies to driver mode (-D) only: it starts a lost driver again');
  if (options['driver-retry-own-failures'] === true && !driver)
    throw new UsageError(
      '--driver-retry-own-failures applies to driver mode (-D) only: it starts a failed driver again',
    );
  if (!driver && !applicationMode) {
    // Loaded only here: running main() in this process needs the SDK, which the other modes do not.
    const { runInClient } = await import('./runInClient.js');
    return runInClient(args, target === 'per-job' ? 'per-job' : 'session');
  }
  const cluster = namedCluster(options) ?? deployedCluster(options);
  const connection = connectFromOptions(options);
  try {
    const request = applicationRequestOf(
      args,
      cluster,
      applicationMode ? SubmissionMode.APPLICATION : SubmissionMode.DRIVER,
    );
    const { application, deduplicated } = await runApplication(connection, request, uploadProgress(options));
    process.stderr.write(
      `${deduplicated ? 'already submitted as' : 'submitted'} application ${application.id} (${application.name}) in ${mode} mode; ` +
        (options.follow === true ? 'following its events\n' : `watch it with "flotilla watch ${application.id}"\n`),
    );
    const format = outputFormatOf(args, EVENT_FORMATS);
    printAcceptedApplication(format, application, deduplicated);
    return options.follow === true
      ? await followApplication(connection, application.id, { json: format === 'json', quiet: options.quiet === true })
      : 0;
  } finally {
    connection.close();
  }
}
