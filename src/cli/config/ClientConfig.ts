/**
 * The client config file: named contexts, each saying how to reach one control plane (its address,
 * the CA file its TLS certificate is signed by, and where the token comes from: an environment
 * variable or a file, never the config file itself), and the current one. Kept as JSON at
 * `$FLOTILLA_CONFIG`, or `$XDG_CONFIG_HOME/flotilla/config.json` (`~/.config/flotilla/config.json`),
 * written 0600 in a 0700 folder. kubectl's kubeconfig contexts are the model.
 *
 * ```json
 * { "current-context": "prod",
 *   "contexts": { "prod": { "controlplane": "cp.example.com:6180", "tls-ca": "/etc/flotilla/ca.pem", "token-env": "PROD_TOKEN" } } }
 * ```
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from '../options/args.js';

/** One context: how to reach one control plane. */
export interface ClientContext {
  controlplane?: string;
  'tls-ca'?: string;
  /** The environment variable that holds the token. */
  'token-env'?: string;
  /** The file that holds the token (its first line). */
  'token-file'?: string;
}

/** The whole file. */
export interface ClientConfig {
  'current-context'?: string;
  contexts: Record<string, ClientContext>;
}

const CONTEXT_KEYS = new Set<string>(['controlplane', 'tls-ca', 'token-env', 'token-file']);

/** Where the config file is, for `env`. */
export function clientConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLOTILLA_CONFIG) return env.FLOTILLA_CONFIG;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'flotilla', 'config.json');
}

/** Reads the config file; an empty config when there is none, a usage error naming the file and the fault when it is not valid. */
export function readClientConfig(path: string): ClientConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: {} };
    throw new UsageError(`the client config ${path} cannot be read: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the client config ${path} is not JSON: ${(error as Error).message}`);
  }
  return checkClientConfig(parsed, path);
}

function checkClientConfig(parsed: unknown, path: string): ClientConfig {
  const fail = (what: string) => new UsageError(`the client config ${path}: ${what}`);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw fail('must be a JSON object');
  const { 'current-context': current, contexts = {}, ...rest } = parsed as Record<string, unknown>;
  if (Object.keys(rest).length > 0)
    throw fail(`unknown key "${Object.keys(rest)[0]}" (known: current-context, contexts)`);
  if (current !== undefined && typeof current !== 'string') throw fail('"current-context" must be a string');
  if (typeof contexts !== 'object' || contexts === null || Array.isArray(contexts))
    throw fail('"contexts" must be an object of contexts by name');
  for (const [name, context] of Object.entries(contexts as Record<string, unknown>)) {
    if (typeof context !== 'object' || context === null || Array.isArray(context))
      throw fail(`context "${name}" must be an object`);
    for (const [key, value] of Object.entries(context)) {
      if (key === 'token')
        throw fail(
          `context "${name}" holds a token inline; the config file never holds tokens: use "token-env" (an environment variable) or "token-file" (a file only you can read)`,
        );
      if (!CONTEXT_KEYS.has(key))
        throw fail(`context "${name}": unknown key "${key}" (known: ${[...CONTEXT_KEYS].join(', ')})`);
      if (typeof value !== 'string' || value === '')
        throw fail(`context "${name}": "${key}" must be a non-empty string`);
    }
    const { 'token-env': tokenEnv, 'token-file': tokenFile } = context as ClientContext;
    if (tokenEnv && tokenFile) throw fail(`context "${name}" names both "token-env" and "token-file"; keep one`);
  }
  return { 'current-context': current, contexts: contexts as Record<string, ClientContext> };
}

/** Writes the config file atomically, 0600 in a 0700 folder. */
export function writeClientConfig(path: string, config: ClientConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** The refusal of a context the config does not have, naming what it has. */
export function unknownContextMessage(name: string, path: string, config: ClientConfig): string {
  const known = Object.keys(config.contexts);
  return `no context "${name}" in ${path}; ${known.length > 0 ? `it has ${known.join(', ')}` : 'it has none'} (flotilla config set-context NAME --controlplane HOST:PORT adds one)`;
}
