/** `flotilla taskexecutor`: runs a worker of a session cluster. */
import { availableParallelism, totalmem } from 'node:os';
import { parseHostPort } from '../../common/address.js';
import { createLogger } from '../../common/logger.js';
import { startTaskExecutor } from '../../taskexecutor/taskExecutor.js';
import { UsageError, type CommandSpec, type ParsedCommandLine } from '../args.js';
import { LOG_LEVEL_OPTION, listenOption, scratchDir, stateDirOption } from '../commonOptions.js';
import { serveUntilSignalled } from '../serveUntilSignalled.js';

export const taskexecutorCommand: CommandSpec = {
  name: 'taskexecutor',
  summary: 'Run a task executor (worker) of a session cluster: serves flotilla.v1.TaskExecutorService.',
  description:
    'This build serves the TaskExecutorService contract with reflection and health; registration with --jobmanager and task execution land with the cluster runtime.',
  positionals: [],
  options: [
    listenOption('127.0.0.1:0'),
    { name: 'jobmanager', type: 'string', valueName: 'HOST:PORT', description: 'Job manager of the cluster this task executor joins (required).' },
    { name: 'slots', type: 'number', valueName: 'N', description: 'Number of task slots offered.', default: 2 },
    { name: 'cpus', type: 'number', valueName: 'C', description: 'CPU cores offered in all, divided between the slots.', default: availableParallelism() },
    {
      name: 'memory',
      type: 'number',
      valueName: 'MB',
      description: 'Memory offered in all, in MiB, divided between the slots.',
      default: Math.floor(totalmem() / 1024 / 1024 / 4),
    },
    stateDirOption("unpacked bundles and task scratch files"),
    LOG_LEVEL_OPTION,
  ],
};

export async function runTaskexecutor(args: ParsedCommandLine): Promise<number> {
  const jobmanager = args.options.jobmanager as string | undefined;
  if (!jobmanager) throw new UsageError('--jobmanager HOST:PORT is required: the job manager of the cluster to join');
  const slots = args.options.slots as number;
  if (!Number.isInteger(slots) || slots < 1) throw new UsageError(`--slots must be a whole number of at least 1, got ${slots}`);
  const logger = createLogger({ name: 'taskexecutor', level: args.options['log-level'] as string });
  const host = await startTaskExecutor({
    listen: parseHostPort(args.options.listen as string, '--listen'),
    stateDir: (args.options['state-dir'] as string | undefined) ?? scratchDir('taskexecutor'),
    jobmanager: parseHostPort(jobmanager, '--jobmanager'),
    slots,
    cpus: args.options.cpus as number,
    memoryMb: args.options.memory as number,
    logger,
  });
  return serveUntilSignalled(host, logger);
}
