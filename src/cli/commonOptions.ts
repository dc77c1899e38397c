/** Options every Flotilla process or client verb shares (DESIGN.md: shared conventions). */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONTROL_PLANE_ADDRESS } from '../client/controlPlaneClient.js';
import type { OptionSpec } from './args.js';

/** `--log-level`, for every process. */
export const LOG_LEVEL_OPTION: OptionSpec = {
  name: 'log-level',
  type: 'string',
  valueName: 'LEVEL',
  description: 'Least severe log level written to stderr: trace, debug, info, warn, error, fatal or silent.',
  default: 'info',
  env: 'FLOTILLA_LOG_LEVEL',
};

/** `--listen HOST:PORT`, for every server; port 0 picks a free port. */
export function listenOption(defaultAddress: string): OptionSpec {
  return {
    name: 'listen',
    type: 'string',
    valueName: 'HOST:PORT',
    description: 'Address to serve on; port 0 picks a free port. The first stdout line is "listening on HOST:PORT".',
    default: defaultAddress,
  };
}

/** `--state-dir DIR`, for processes that keep state. */
export function stateDirOption(what: string): OptionSpec {
  return {
    name: 'state-dir',
    type: 'string',
    valueName: 'DIR',
    description: `Folder that holds ${what}; created if missing.`,
    default: join(homedir(), '.flotilla'),
    env: 'FLOTILLA_STATE_DIR',
  };
}

/** `--controlplane HOST:PORT`, for every client verb. */
export const CONTROL_PLANE_OPTION: OptionSpec = {
  name: 'controlplane',
  type: 'string',
  valueName: 'HOST:PORT',
  description: 'Control plane to talk to.',
  default: DEFAULT_CONTROL_PLANE_ADDRESS,
  env: 'FLOTILLA_CONTROLPLANE',
};
