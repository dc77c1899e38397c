/**
 * `flotilla config …`: the client config's contexts (cli/config/ClientConfig.ts), as kubectl's
 * `config` verbs: `set-context`, `use-context`, `get-contexts`, `current-context`, `delete-context`.
 * They read and write the file only; nothing talks to a control plane.
 */
import { UsageError, type CommandSpec, type ParsedCommandLine } from '../options/args.js';
import { formatTable } from '../output/formatTable.js';
import {
  clientConfigPath,
  readClientConfig,
  unknownContextMessage,
  writeClientConfig,
  type ClientContext,
} from '../config/ClientConfig.js';

const NAME = { name: 'NAME', description: 'The name of the context.', required: true };

export const configSetContextCommand: CommandSpec = {
  name: 'config set-context',
  summary: 'Add a context to the client config, or change one (only the settings given)',
  description:
    'The client config is $FLOTILLA_CONFIG, or $XDG_CONFIG_HOME/flotilla/config.json (~/.config/flotilla/config.json), written 0600. It never holds a token: give --token-env or --token-file.',
  positionals: [NAME],
  options: [
    {
      name: 'controlplane',
      type: 'string',
      valueName: 'HOST:PORT[,HOST:PORT...]',
      description: 'The control plane this context talks to: one address, or its replicas separated by commas.',
    },
    {
      name: 'tls-ca',
      type: 'string',
      valueName: 'FILE',
      description: "The CA file of the control plane's TLS certificate.",
    },
    {
      name: 'token-env',
      type: 'string',
      valueName: 'VAR',
      description: 'The environment variable that holds the token.',
    },
    {
      name: 'token-file',
      type: 'string',
      valueName: 'FILE',
      description: 'The file that holds the token (its first line).',
    },
    { name: 'use', type: 'boolean', description: 'Also make it the current context.' },
  ],
};

export const configUseContextCommand: CommandSpec = {
  name: 'config use-context',
  summary: 'Make a context of the client config the current one',
  positionals: [NAME],
  options: [],
};

export const configGetContextsCommand: CommandSpec = {
  name: 'config get-contexts',
  summary: 'List the contexts of the client config; * marks the current one',
  positionals: [],
  options: [],
};

export const configCurrentContextCommand: CommandSpec = {
  name: 'config current-context',
  summary: 'Print the name of the current context',
  positionals: [],
  options: [],
};

export const configDeleteContextCommand: CommandSpec = {
  name: 'config delete-context',
  summary: 'Remove a context from the client config',
  positionals: [NAME],
  options: [],
};

export function runConfigSetContext(args: ParsedCommandLine): Promise<number> {
  const path = clientConfigPath();
  const config = readClientConfig(path);
  const name = args.positionals[0];
  const given: ClientContext = {};
  for (const key of ['controlplane', 'tls-ca', 'token-env', 'token-file'] as const) {
    const value = args.options[key] as string | undefined;
    if (value !== undefined) given[key] = value;
  }
  if (given['token-env'] && given['token-file']) throw new UsageError('give --token-env or --token-file, not both');
  const before = config.contexts[name] ?? {};
  const context = { ...before, ...given };
  if (given['token-env']) delete context['token-file'];
  if (given['token-file']) delete context['token-env'];
  config.contexts[name] = context;
  if (args.options.use) config['current-context'] = name;
  writeClientConfig(path, config);
  process.stderr.write(`context ${name} ${name in before ? 'changed' : 'saved'} in ${path}\n`);
  return Promise.resolve(0);
}

export function runConfigUseContext(args: ParsedCommandLine): Promise<number> {
  const path = clientConfigPath();
  const config = readClientConfig(path);
  const name = args.positionals[0];
  if (!config.contexts[name]) throw new UsageError(unknownContextMessage(name, path, config));
  config['current-context'] = name;
  writeClientConfig(path, config);
  process.stderr.write(`switched to context ${name}\n`);
  return Promise.resolve(0);
}

export function runConfigGetContexts(): Promise<number> {
  const config = readClientConfig(clientConfigPath());
  const rows = Object.entries(config.contexts).map(([name, context]) => [
    name === config['current-context'] ? '*' : '',
    name,
    context.controlplane ?? '',
    context['tls-ca'] ? 'TLS' : '',
    context['token-env'] ? `$${context['token-env']}` : (context['token-file'] ?? ''),
  ]);
  process.stdout.write(`${formatTable(['CURRENT', 'NAME', 'CONTROLPLANE', 'TLS', 'TOKEN FROM'], rows)}\n`);
  return Promise.resolve(0);
}

export function runConfigCurrentContext(): Promise<number> {
  const current = readClientConfig(clientConfigPath())['current-context'];
  if (!current) {
    process.stderr.write(
      'flotilla config current-context: no current context (flotilla config use-context NAME sets one)\n',
    );
    return Promise.resolve(1);
  }
  process.stdout.write(`${current}\n`);
  return Promise.resolve(0);
}

export function runConfigDeleteContext(args: ParsedCommandLine): Promise<number> {
  const path = clientConfigPath();
  const config = readClientConfig(path);
  const name = args.positionals[0];
  if (!config.contexts[name]) throw new UsageError(unknownContextMessage(name, path, config));
  delete config.contexts[name];
  if (config['current-context'] === name) delete config['current-context'];
  writeClientConfig(path, config);
  process.stderr.write(`context ${name} deleted from ${path}\n`);
  return Promise.resolve(0);
}
