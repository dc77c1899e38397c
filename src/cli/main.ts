/**
 * The `flotilla` command: picks the verb, parses its options, runs it, and turns failures into one
 * line on stderr and an exit code. Exit codes: 0 success, 1 the operation failed, 2 bad usage,
 * 3 the control plane could not be reached.
 */
import { readFileSync } from 'node:fs';
import { ControlPlaneUnreachableError } from '../client/errors.js';
import { FlotillaError } from '../common/errors.js';
import { formatCommandHelp, parseCommandLine, UsageError, type CommandSpec, type ParsedCommandLine } from './args.js';
import { controlplaneCommand, runControlplane } from './commands/controlplane.js';
import { jobmanagerCommand, runJobmanager } from './commands/jobmanager.js';
import { runTaskexecutor, taskexecutorCommand } from './commands/taskexecutor.js';
import { runUpload, uploadCommand } from './commands/upload.js';
import { cancelCommand, listCommand, runCancel, runList } from './commands/applications.js';
import { clusterListCommand, clusterStartCommand, clusterStopCommand, runClusterList, runClusterStart, runClusterStop } from './commands/cluster.js';
import { runCommand, runRun } from './commands/run.js';
import { runWatch, watchCommand } from './commands/watch.js';
import { logsCommand, runLogs } from './commands/logs.js';

interface Verb {
  spec: CommandSpec;
  run(args: ParsedCommandLine): Promise<number>;
}

const VERBS: readonly Verb[] = [
  { spec: runCommand, run: runRun },
  { spec: watchCommand, run: runWatch },
  { spec: logsCommand, run: runLogs },
  { spec: listCommand, run: runList },
  { spec: cancelCommand, run: runCancel },
  { spec: uploadCommand, run: runUpload },
  { spec: clusterStartCommand, run: runClusterStart },
  { spec: clusterListCommand, run: runClusterList },
  { spec: clusterStopCommand, run: runClusterStop },
  { spec: controlplaneCommand, run: runControlplane },
  { spec: jobmanagerCommand, run: runJobmanager },
  { spec: taskexecutorCommand, run: runTaskexecutor },
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function mainHelp(): string {
  const width = Math.max(...VERBS.map((verb) => verb.spec.name.length)) + 4;
  return [
    'Usage: flotilla <command> [options]',
    '',
    'Flotilla runs multi-job data applications on session clusters through a long-running control plane.',
    '',
    'Client commands (talk to the control plane at --controlplane / FLOTILLA_CONTROLPLANE, default 127.0.0.1:6180):',
    ...VERBS.filter((verb) => verb.spec.options.some((option) => option.name === 'controlplane')).map(
      (verb) => `  ${verb.spec.name.padEnd(width)}${verb.spec.summary}`,
    ),
    '',
    'Processes:',
    ...VERBS.filter((verb) => !verb.spec.options.some((option) => option.name === 'controlplane')).map(
      (verb) => `  ${verb.spec.name.padEnd(width)}${verb.spec.summary}`,
    ),
    '',
    'Run "flotilla <command> --help" for the options of a command; "flotilla --version" prints the version.',
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and the script) and resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // Two-word verbs ("cluster start") are looked up first.
  const twoWords = argv.length >= 2 ? `${argv[0]} ${argv[1]}` : undefined;
  const [name, ...rest] = VERBS.some((verb) => verb.spec.name === twoWords) ? [twoWords!, ...argv.slice(2)] : argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? VERBS.find((verb) => verb.spec.name === rest.join(' ')) : undefined;
    process.stdout.write(`${topic ? formatCommandHelp(topic.spec) : mainHelp()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const verb = VERBS.find((candidate) => candidate.spec.name === name);
  if (!verb && VERBS.some((candidate) => candidate.spec.name.startsWith(`${name} `))) {
    const actions = VERBS.filter((candidate) => candidate.spec.name.startsWith(`${name} `)).map((candidate) => candidate.spec.name.split(' ')[1]);
    process.stderr.write(`flotilla ${name}: expected one of ${actions.join(', ')}; run "flotilla ${name} ${actions[0]} --help"\n`);
    return 2;
  }
  if (!verb) {
    process.stderr.write(`flotilla: unknown command "${name}"; run "flotilla --help" for the list\n`);
    return 2;
  }
  try {
    const args = parseCommandLine(verb.spec, rest);
    if (args.help) {
      process.stdout.write(`${formatCommandHelp(verb.spec)}\n`);
      return 0;
    }
    return await verb.run(args);
  } catch (error) {
    return reportFailure(name, error);
  }
}

function reportFailure(verb: string, error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`flotilla ${verb}: ${error.message}\n`);
    return 2;
  }
  if (error instanceof ControlPlaneUnreachableError) {
    process.stderr.write(`flotilla ${verb}: ${error.message}\n`);
    return 3;
  }
  if (error instanceof FlotillaError) {
    process.stderr.write(`flotilla ${verb}: ${error.message}\n`);
    return 1;
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    process.stderr.write(`flotilla ${verb}: cannot listen: ${(error as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`flotilla ${verb}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
