/**
 * The `flotilla` command: picks the verb, parses its options, runs it, and turns failures into one
 * line on stderr and an exit code. Exit codes: 0 success, 1 the operation failed, 2 bad usage,
 * 3 the control plane could not be reached.
 */
import { readFileSync } from 'node:fs';
import { ControlPlaneUnreachableError } from '../client/errors.js';
import { FlotillaError } from '../common/errors.js';
import { completeWords } from './completion/completeWords.js';
import { contextFallbacks } from './config/contextFallbacks.js';
import {
  formatCommandHelp,
  parseCommandLine,
  UsageError,
  type CommandSpec,
  type ParsedCommandLine,
} from './options/args.js';

/** The hidden verb the shell completion functions call: `flotilla __complete WORD...`. */
const COMPLETE_VERB = '__complete';

/** A verb as loaded: its spec and what runs it. */
interface Verb {
  spec: CommandSpec;
  run(args: ParsedCommandLine): Promise<number>;
}

/**
 * Every verb, by name, with the module that implements it. A module is imported only when its
 * verb runs (or for the command list), so a client verb does not load the servers' code.
 */
const VERBS: readonly { name: string; load(): Promise<Verb> }[] = [
  { name: 'run', load: () => import('./commands/run.js').then((m) => ({ spec: m.runCommand, run: m.runRun })) },
  { name: 'watch', load: () => import('./commands/watch.js').then((m) => ({ spec: m.watchCommand, run: m.runWatch })) },
  { name: 'logs', load: () => import('./commands/logs.js').then((m) => ({ spec: m.logsCommand, run: m.runLogs })) },
  {
    name: 'status',
    load: () => import('./commands/status.js').then((m) => ({ spec: m.statusCommand, run: m.runStatus })),
  },
  { name: 'jobs', load: () => import('./commands/jobs.js').then((m) => ({ spec: m.jobsCommand, run: m.runJobs })) },
  {
    name: 'list',
    load: () => import('./commands/applications.js').then((m) => ({ spec: m.listCommand, run: m.runList })),
  },
  {
    name: 'cancel',
    load: () => import('./commands/applications.js').then((m) => ({ spec: m.cancelCommand, run: m.runCancel })),
  },
  {
    name: 'savepoint',
    load: () => import('./commands/savepoint.js').then((m) => ({ spec: m.savepointCommand, run: m.runSavepoint })),
  },
  {
    name: 'stop',
    load: () => import('./commands/savepoint.js').then((m) => ({ spec: m.stopCommand, run: m.runStop })),
  },
  {
    name: 'upload',
    load: () => import('./commands/upload.js').then((m) => ({ spec: m.uploadCommand, run: m.runUpload })),
  },
  {
    name: 'cluster start',
    load: () => import('./commands/cluster.js').then((m) => ({ spec: m.clusterStartCommand, run: m.runClusterStart })),
  },
  {
    name: 'cluster list',
    load: () => import('./commands/cluster.js').then((m) => ({ spec: m.clusterListCommand, run: m.runClusterList })),
  },
  {
    name: 'cluster stop',
    load: () => import('./commands/cluster.js').then((m) => ({ spec: m.clusterStopCommand, run: m.runClusterStop })),
  },
  {
    name: 'config set-context',
    load: () =>
      import('./commands/config.js').then((m) => ({ spec: m.configSetContextCommand, run: m.runConfigSetContext })),
  },
  {
    name: 'config use-context',
    load: () =>
      import('./commands/config.js').then((m) => ({ spec: m.configUseContextCommand, run: m.runConfigUseContext })),
  },
  {
    name: 'config get-contexts',
    load: () =>
      import('./commands/config.js').then((m) => ({ spec: m.configGetContextsCommand, run: m.runConfigGetContexts })),
  },
  {
    name: 'config current-context',
    load: () =>
      import('./commands/config.js').then((m) => ({
        spec: m.configCurrentContextCommand,
        run: m.runConfigCurrentContext,
      })),
  },
  {
    name: 'config delete-context',
    load: () =>
      import('./commands/config.js').then((m) => ({
        spec: m.configDeleteContextCommand,
        run: m.runConfigDeleteContext,
      })),
  },
  {
    name: 'completion',
    load: () => import('./commands/completion.js').then((m) => ({ spec: m.completionCommand, run: m.runCompletion })),
  },
  {
    name: 'controlplane',
    load: () =>
      import('./commands/controlplane.js').then((m) => ({ spec: m.controlplaneCommand, run: m.runControlplane })),
  },
  {
    name: 'jobmanager',
    load: () => import('./commands/jobmanager.js').then((m) => ({ spec: m.jobmanagerCommand, run: m.runJobmanager })),
  },
  {
    name: 'taskexecutor',
    load: () =>
      import('./commands/taskexecutor.js').then((m) => ({ spec: m.taskexecutorCommand, run: m.runTaskexecutor })),
  },
  {
    name: 'health-probe',
    load: () =>
      import('./commands/healthProbe.js').then((m) => ({ spec: m.healthProbeCommand, run: m.runHealthProbe })),
  },
];

/** What a client does with several replicas of the control plane (`--controlplane a:6180,b:6180,c:6180`). */
const REPLICAS_HELP = [
  'Several replicas of one control plane (on one PostgreSQL database): --controlplane a:6180,b:6180,c:6180.',
  'The client talks to the first that answers and stays with it. A call that finds no connection to its',
  'replica goes to the next. A call whose replica dies under it (UNAVAILABLE, connection broken) goes to',
  'the next only when that is safe: reads (get, list, status, jobs), watches and logs (resumed after the',
  'last event or byte seen), uploads, and submissions (run, cluster start, jobs of main(): sent again with',
  'their request id, so they start once). cancel, savepoint, stop and cluster stop are not sent again: check with status.',
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

async function mainHelp(): Promise<string> {
  const verbs = await Promise.all(VERBS.map((verb) => verb.load()));
  const width = Math.max(...verbs.map((verb) => verb.spec.name.length)) + 4;
  const isClient = (verb: Verb) => verb.spec.options.some((option) => option.name === 'context');
  const isShell = (verb: Verb) => verb.spec.name === 'completion' || verb.spec.name.startsWith('config ');
  return [
    'Usage: flotilla <command> [options]',
    '',
    'Flotilla runs multi-job data applications on session clusters through a long-running control plane.',
    '',
    "Client commands (talk to the control plane at --controlplane / FLOTILLA_CONTROLPLANE, else the client config's context, else 127.0.0.1:6180):",
    ...verbs.filter(isClient).map((verb) => `  ${verb.spec.name.padEnd(width)}${verb.spec.summary}`),
    '',
    ...REPLICAS_HELP,
    '',
    'Processes:',
    ...verbs
      .filter((verb) => !isClient(verb) && !isShell(verb))
      .map((verb) => `  ${verb.spec.name.padEnd(width)}${verb.spec.summary}`),
    '',
    'Client config and shell:',
    ...verbs.filter(isShell).map((verb) => `  ${verb.spec.name.padEnd(width)}${verb.spec.summary}`),
    '',
    'Run "flotilla <command> --help" for the options of a command; "flotilla --version" prints the version.',
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and the script) and resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // Two-word verbs ("cluster start") are looked up first.
  const twoWords = argv.length >= 2 ? `${argv[0]} ${argv[1]}` : undefined;
  const [name, ...rest] = VERBS.some((verb) => verb.name === twoWords) ? [twoWords!, ...argv.slice(2)] : argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? VERBS.find((verb) => verb.name === rest.join(' ')) : undefined;
    process.stdout.write(`${topic ? formatCommandHelp((await topic.load()).spec) : await mainHelp()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (argv[0] === COMPLETE_VERB) {
    const specs = (await Promise.all(VERBS.map((verb) => verb.load()))).map((verb) => verb.spec);
    const candidates = completeWords(specs, argv.slice(1));
    if (candidates.length > 0) process.stdout.write(`${candidates.join('\n')}\n`);
    return 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const entry = VERBS.find((candidate) => candidate.name === name);
  if (!entry && VERBS.some((candidate) => candidate.name.startsWith(`${name} `))) {
    const actions = VERBS.filter((candidate) => candidate.name.startsWith(`${name} `)).map(
      (candidate) => candidate.name.split(' ')[1],
    );
    process.stderr.write(
      `flotilla ${name}: expected one of ${actions.join(', ')}; run "flotilla ${name} ${actions[0]} --help"\n`,
    );
    return 2;
  }
  if (!entry) {
    process.stderr.write(`flotilla: unknown command "${name}"; run "flotilla --help" for the list\n`);
    return 2;
  }
  try {
    const verb = await entry.load();
    let args = parseCommandLine(verb.spec, rest);
    // A client verb takes what flags and env leave open from the client config's context.
    if (!args.help && verb.spec.options.some((option) => option.name === 'context'))
      args = parseCommandLine(verb.spec, rest, process.env, contextFallbacks(args.options.context as string));
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
  process.stderr.write(
    `flotilla ${verb}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}
