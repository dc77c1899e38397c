/**
 * `flotilla run`: submits an application through the control plane. Driver mode (`-D`) runs main()
 * as a driver job inside the cluster, so this process may exit (and the laptop close) as soon as
 * the control plane has accepted the application.
 */
import { connectControlPlane } from '../../client/controlPlaneClient.js';
import { runApplication, type ClusterChoice } from '../../client/runApplication.js';
import { UsageError, type CommandSpec, type OptionSpec, type ParsedCommandLine } from '../args.js';
import { CONTROL_PLANE_OPTION } from '../commonOptions.js';
import { followApplication } from '../followApplication.js';
import { progressReporter } from '../progress.js';

const number = (name: string, aliases: string[], valueName: string, description: string, fallback?: number): OptionSpec => ({
  name,
  aliases,
  type: 'number',
  valueName,
  description,
  default: fallback,
});

export const runCommand: CommandSpec = {
  name: 'run',
  summary: 'Run an application (a bundle\'s main(env, args)); -D runs it as a driver job inside the cluster.',
  description: [
    'With -D the bundle is uploaded (unless the control plane has it), the control plane deploys a session cluster for it (or uses the one named with -m or --cluster) and runs main() there as a driver job; the application id is printed on stdout and the command exits once the control plane accepted it. --follow instead streams its events to stderr until it ends and exits 0 for FINISHED, 1 otherwise.',
    'Session, per-job and application modes (main() in this process or in the job manager) arrive in a later version.',
  ].join(' '),
  positionals: [
    { name: 'BUNDLE', description: 'Bundle folder (with a package.json) or .tgz.', required: true },
    { name: 'ARGS', description: 'Arguments passed to main(); everything after BUNDLE, options included.', rest: true },
  ],
  options: [
    { name: 'driver', aliases: ['-D'], type: 'boolean', description: 'Driver mode: run main() as a driver job inside the cluster (FLIP-40).' },
    { name: 'follow', aliases: ['-f'], type: 'boolean', description: 'Stream the application\'s events until it ends; the exit code is 0 only for FINISHED.' },
    { name: 'detached', aliases: ['-d'], type: 'boolean', description: 'Session and per-job modes: exit once main() submitted its jobs. Not with -D.' },
    { name: 'target', aliases: ['-t'], type: 'string', valueName: 'MODE', description: 'session, per-job, application or driver; -D is the same as --target driver.' },
    { name: 'jobmanager', aliases: ['-m'], type: 'string', valueName: 'HOST:PORT', description: 'Run on the session cluster whose job manager listens here; it is used as is and never torn down.' },
    { name: 'cluster', type: 'string', valueName: 'ID', description: 'Run on a shared cluster started with "flotilla cluster start"; never torn down by the application.' },
    number('task-executors', [], 'N', 'Task executors of the cluster deployed for the application (default: the control plane\'s, 1).', 0),
    number('slots', [], 'N', 'Slots per task executor of the deployed cluster (default: the control plane\'s, parallelism + 1).', 0),
    { name: 'class', aliases: ['-c'], type: 'string', valueName: 'MODULE#EXPORT', description: 'Entry point: a module of the bundle and its export; default: the package.json main and its "main" export.', default: '' },
    number('parallelism', ['-p'], 'N', 'Default parallelism of the application\'s jobs.', 0),
    { name: 'name', type: 'string', valueName: 'NAME', description: 'Application name; prefixes its jobs\' names. Default: the bundle\'s package name.' },
    number('driver-heap-memory', ['-Dhm', '--driverheapmemory'], 'MB', 'Heap of the driver (V8 old space), enforced: a driver past it fails.', 512),
    number('driver-direct-memory', ['-Ddm', '--driverdirectmemory'], 'MB', 'Buffers and ArrayBuffers the driver may hold, enforced; 0 for no limit.', 0),
    number('driver-native-memory', ['-Dnm', '--drivernativememory'], 'MB', 'Native memory of the driver\'s isolate, enforced; 0 for no limit.', 0),
    number('driver-cpus', ['-Dc', '--drivercpus'], 'C', 'CPU cores the driver\'s slot must offer.', 0),
    { name: 'property', type: 'properties', prefix: '-D', description: 'A dynamic property every job carries (repeatable).' },
    { name: 'request-id', type: 'string', valueName: 'ID', description: 'Makes the submission idempotent: the same id submitted again gives the same application. Default: a new id per invocation.' },
    CONTROL_PLANE_OPTION,
  ],
};

export async function runRun(args: ParsedCommandLine): Promise<number> {
  const options = args.options;
  const target = (options.target as string | undefined)?.toLowerCase();
  const driver = options.driver === true || target === 'driver';
  if (driver && options.detached === true) {
    throw new UsageError('-d (detached) cannot be combined with -D: a driver job always runs detached from this command; add --follow to watch it instead');
  }
  if (target !== undefined && !['session', 'per-job', 'application', 'driver'].includes(target)) {
    throw new UsageError(`--target must be session, per-job, application or driver, got "${String(options.target)}"`);
  }
  if (!driver) {
    throw new UsageError(`${target ?? 'session'} mode runs main() outside a driver job and arrives in a later version of Flotilla; use -D (driver mode)`);
  }
  if (options.jobmanager !== undefined && options.cluster !== undefined) throw new UsageError('give either -m/--jobmanager or --cluster, not both');
  for (const name of ['task-executors', 'slots', 'parallelism', 'driver-heap-memory', 'driver-direct-memory', 'driver-native-memory', 'driver-cpus']) {
    const value = options[name] as number;
    if (value < 0 || (name !== 'driver-cpus' && !Number.isInteger(value))) throw new UsageError(`--${name} must be a whole number of at least 0, got ${value}`);
  }
  const cluster: ClusterChoice =
    options.jobmanager !== undefined
      ? { kind: 'jobmanager', address: options.jobmanager as string }
      : options.cluster !== undefined
        ? { kind: 'cluster', clusterId: options.cluster as string }
        : { kind: 'deploy', taskExecutors: options['task-executors'] as number, slotsPerTaskExecutor: options.slots as number };
  const [bundlePath, ...programArgs] = args.positionals;
  const connection = connectControlPlane(options.controlplane as string);
  try {
    const progress = progressReporter('uploading');
    const { application, deduplicated } = await runApplication(
      connection,
      {
        bundlePath,
        name: options.name as string | undefined,
        entry: options.class as string,
        args: programArgs,
        cluster,
        driver: {
          heapMemoryMb: options['driver-heap-memory'] as number,
          directMemoryMb: options['driver-direct-memory'] as number,
          nativeMemoryMb: options['driver-native-memory'] as number,
          cpus: options['driver-cpus'] as number,
        },
        parallelism: options.parallelism as number,
        properties: (options.property as Record<string, string> | undefined) ?? {},
        requestId: options['request-id'] as string | undefined,
      },
      {
        onUploadProgress: progress.update,
        onUploaded: (artifactId, alreadyStored) => {
          progress.done();
          process.stderr.write(`bundle ${artifactId.slice(0, 12)} ${alreadyStored ? 'already stored' : 'uploaded'}\n`);
        },
      },
    );
    process.stderr.write(
      `${deduplicated ? 'already submitted as' : 'submitted'} application ${application.id} (${application.name}) in driver mode; ` +
        (options.follow === true ? 'following its events\n' : `watch it with "flotilla watch ${application.id}"\n`),
    );
    process.stdout.write(`${application.id}\n`);
    return options.follow === true ? await followApplication(connection, application.id) : 0;
  } finally {
    connection.close();
  }
}
