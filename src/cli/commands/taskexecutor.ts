/** `flotilla taskexecutor`: runs a worker of a session cluster. */
import { parseHostPort } from '../../common/address.js';
import { createLogger } from '../../common/logger.js';
import { addressFileRetrieval } from '../../taskexecutor/JobManagerRetrieval.js';
import { TASK_EXECUTOR_RESOURCE_DEFAULTS } from '../../taskexecutor/resourceDefaults.js';
import { DEFAULT_TASK_CANCELLATION_TIMEOUT_MS, startTaskExecutor } from '../../taskexecutor/service/taskExecutor.js';
import { UsageError, type CommandSpec, type ParsedCommandLine } from '../options/args.js';
import { positiveInteger } from '../options/optionValues.js';
import { scratchDir } from '../../common/scratchDir.js';
import { LOG_LEVEL_OPTION, listenOption, stateDirOption } from '../options/commonOptions.js';
import { BUNDLE_URI_ROOT_OPTION, bundleUriRootsOf } from '../process/bundleUriRootOption.js';
import { keepFilesPrivate } from '../process/keepFilesPrivate.js';
import { serveUntilSignalled } from '../process/serveUntilSignalled.js';
import {
  CLUSTER_SECRET_FILE_OPTION,
  clusterMemberSettingsOf,
  TLS_SERVER_NAME_OPTION,
  serverSecurityOptions,
} from '../process/serverSecurityOptions.js';

export const taskexecutorCommand: CommandSpec = {
  name: 'taskexecutor',
  summary: 'Run a task executor (worker) of a session cluster: serves flotilla.v1.TaskExecutorService.',
  description:
    "It registers with --jobmanager, offers its slots and heartbeats, runs each task it is given in a worker thread, and serves the tasks' results to their consumers. Print sinks write to its stdout. It exits when the job manager has been unreachable for --jobmanager-timeout.",
  positionals: [],
  options: [
    listenOption('127.0.0.1:0'),
    {
      name: 'jobmanager',
      type: 'string',
      valueName: 'HOST:PORT',
      description:
        'Job manager of the cluster this task executor joins (this or --jobmanager-address-file is required).',
    },
    {
      name: 'jobmanager-address-file',
      type: 'string',
      valueName: 'FILE',
      description:
        "Instead of --jobmanager: read the job manager's HOST:PORT from FILE, which `flotilla jobmanager --address-file FILE` writes once it listens, waiting for it at most --jobmanager-timeout. The task executor starts (and listens) meanwhile, so it can be started together with its job manager.",
    },
    {
      name: 'resource-id',
      type: 'string',
      valueName: 'ID',
      description:
        "The id this task executor registers with (Flink's taskmanager.resource-id): a deployment target names its members so, to recognise them in the job manager's overview. A new random id when not given.",
    },
    { name: 'slots', type: 'number', valueName: 'N', description: 'Number of task slots offered.', default: 2 },
    {
      name: 'cpus',
      type: 'number',
      valueName: 'C',
      description: 'CPU cores offered in all, divided between the slots.',
      default: TASK_EXECUTOR_RESOURCE_DEFAULTS.cpus,
    },
    {
      name: 'memory',
      type: 'number',
      valueName: 'MB',
      description: 'Memory offered in all, in MiB, divided between the slots.',
      default: TASK_EXECUTOR_RESOURCE_DEFAULTS.memoryMb,
    },
    stateDirOption('unpacked bundles and task scratch files'),
    {
      name: 'jobmanager-timeout',
      type: 'number',
      valueName: 'MS',
      description: 'How long the job manager may be unreachable before this task executor exits, in milliseconds.',
      default: 10_000,
    },
    {
      name: 'task-cancellation-timeout',
      type: 'number',
      valueName: 'MS',
      description:
        'How long a cancelled task may take to stop before its worker thread is terminated, in milliseconds.',
      default: DEFAULT_TASK_CANCELLATION_TIMEOUT_MS,
    },
    BUNDLE_URI_ROOT_OPTION,
    CLUSTER_SECRET_FILE_OPTION,
    TLS_SERVER_NAME_OPTION,
    ...serverSecurityOptions(0),
    LOG_LEVEL_OPTION,
  ],
};

export async function runTaskexecutor(args: ParsedCommandLine): Promise<number> {
  keepFilesPrivate();
  const jobmanager = args.options.jobmanager as string | undefined;
  const addressFile = args.options['jobmanager-address-file'] as string | undefined;
  if (jobmanager && addressFile) throw new UsageError('give --jobmanager or --jobmanager-address-file, not both');
  if (!jobmanager && !addressFile)
    throw new UsageError(
      '--jobmanager HOST:PORT (or --jobmanager-address-file FILE) is required: the job manager of the cluster to join',
    );
  const slots = positiveInteger(args, 'slots');
  const resourceId = args.options['resource-id'] as string | undefined;
  if (resourceId !== undefined && !/^[\w.:-]{1,200}$/.test(resourceId))
    throw new UsageError(
      `--resource-id must be 1 to 200 letters, digits, '_', '.', ':' or '-', got ${JSON.stringify(resourceId)}`,
    );
  const logger = createLogger({ name: 'taskexecutor', level: args.options['log-level'] as string });
  const listen = parseHostPort(args.options.listen as string, '--listen');
  const jobManagerTimeoutMs = positiveInteger(args, 'jobmanager-timeout');
  const jobmanagerAddress = jobmanager
    ? parseHostPort(jobmanager, '--jobmanager')
    : addressFileRetrieval(addressFile!, jobManagerTimeoutMs);
  const bundleUriRoots = bundleUriRootsOf(args, 'task executor');
  const settings = clusterMemberSettingsOf(args, listen, 'task executor');
  return serveUntilSignalled(
    (stop) =>
      startTaskExecutor({
        listen,
        stateDir: (args.options['state-dir'] as string | undefined) ?? scratchDir('taskexecutor'),
        jobmanager: jobmanagerAddress,
        slots,
        resourceId,
        cpus: args.options.cpus as number,
        memoryMb: args.options.memory as number,
        jobManagerTimeoutMs,
        taskCancellationTimeoutMs: positiveInteger(args, 'task-cancellation-timeout'),
        onStop: stop,
        logger,
        bundleUriRoots,
        ...settings,
      }),
    logger,
  );
}
