/**
 * What a client verb takes from the chosen context when neither a flag nor an environment variable
 * gives it: the context named by `--context` / FLOTILLA_CONTEXT, else the config's current context,
 * else none (the verbs' own defaults).
 */
import { UsageError } from '../options/args.js';
import { readOptionFile } from '../options/optionValues.js';
import { clientConfigPath, readClientConfig, unknownContextMessage } from './ClientConfig.js';

/** The fallbacks of `--controlplane`, `--tls-ca` and `--token`, each saying which context gave it. */
export function contextFallbacks(
  contextName: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, { value: string; from: string }> {
  const path = clientConfigPath(env);
  const config = readClientConfig(path);
  const name = contextName || config['current-context'];
  if (!name) return {};
  const context = config.contexts[name];
  if (!context) throw new UsageError(unknownContextMessage(name, path, config));
  const from = `context ${name} (${path})`;
  const fallbacks: Record<string, { value: string; from: string }> = {};
  if (context.controlplane) fallbacks.controlplane = { value: context.controlplane, from };
  if (context['tls-ca']) fallbacks['tls-ca'] = { value: context['tls-ca'], from };
  const tokenEnv = context['token-env'];
  if (tokenEnv) {
    const token = env[tokenEnv]?.trim();
    if (!token)
      throw new UsageError(`${from} takes its token from the environment variable ${tokenEnv}, which is not set`);
    fallbacks.token = { value: token, from };
  }
  const tokenFile = context['token-file'];
  if (tokenFile) {
    const token = readOptionFile(tokenFile, `the token-file of ${from}`).split('\n')[0].trim();
    if (!token) throw new UsageError(`the token-file ${tokenFile} of ${from} is empty`);
    fallbacks.token = { value: token, from };
  }
  return fallbacks;
}
