/** `flotilla jobmanager`: runs the job manager of a session cluster. */
import { parseHostPort } from '../../common/address.js';
import { createLogger } from '../../common/logger.js';
import { startJobManager } from '../../dispatcher/jobManager.js';
import type { CommandSpec, ParsedCommandLine } from '../args.js';
import { LOG_LEVEL_OPTION, listenOption, scratchDir, stateDirOption } from '../commonOptions.js';
import { serveUntilSignalled } from '../serveUntilSignalled.js';

export const jobmanagerCommand: CommandSpec = {
  name: 'jobmanager',
  summary: 'Run the job manager of a session cluster: serves flotilla.v1.DispatcherService.',
  description:
    'This build serves the DispatcherService contract with reflection and health; its RPCs answer UNIMPLEMENTED until the cluster runtime lands.',
  positionals: [],
  options: [listenOption('127.0.0.1:0'), stateDirOption("the blob server's bundles and job scratch files"), LOG_LEVEL_OPTION],
};

export async function runJobmanager(args: ParsedCommandLine): Promise<number> {
  const logger = createLogger({ name: 'jobmanager', level: args.options['log-level'] as string });
  const host = await startJobManager({
    listen: parseHostPort(args.options.listen as string, '--listen'),
    stateDir: (args.options['state-dir'] as string | undefined) ?? scratchDir('jobmanager'),
    logger,
  });
  return serveUntilSignalled(host, logger);
}
