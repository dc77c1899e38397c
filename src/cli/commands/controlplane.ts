/** `flotilla controlplane`: runs the control plane. */
import { parseHostPort } from '../../common/address.js';
import { createLogger } from '../../common/logger.js';
import { CONTROL_PLANE_DEFAULTS, startControlPlane } from '../../controlplane/controlPlane.js';
import type { CommandSpec, ParsedCommandLine } from '../args.js';
import { DEFAULT_STATE_DIR, LOG_LEVEL_OPTION, listenOption, stateDirOption } from '../commonOptions.js';
import { serveUntilSignalled } from '../serveUntilSignalled.js';

export const controlplaneCommand: CommandSpec = {
  name: 'controlplane',
  summary: 'Run the control plane: stores bundles and serves flotilla.v1.ClusterClientService.',
  description: 'State (a SQLite database and the artifact store) lives under --state-dir and survives restarts.',
  positionals: [],
  options: [
    listenOption(CONTROL_PLANE_DEFAULTS.listen),
    stateDirOption('the database and the stored bundles', DEFAULT_STATE_DIR, 'FLOTILLA_STATE_DIR'),
    {
      name: 'max-artifact-bytes',
      type: 'number',
      valueName: 'BYTES',
      description: 'Largest bundle the control plane accepts; larger uploads are refused with RESOURCE_EXHAUSTED.',
      default: CONTROL_PLANE_DEFAULTS.maxArtifactBytes,
    },
    LOG_LEVEL_OPTION,
  ],
};

export async function runControlplane(args: ParsedCommandLine): Promise<number> {
  const logger = createLogger({ name: 'controlplane', level: args.options['log-level'] as string });
  const listen = parseHostPort(args.options.listen as string, '--listen');
  return serveUntilSignalled(
    () =>
      startControlPlane({
        listen,
        stateDir: args.options['state-dir'] as string,
        maxArtifactBytes: args.options['max-artifact-bytes'] as number,
        logger,
      }),
    logger,
  );
}
