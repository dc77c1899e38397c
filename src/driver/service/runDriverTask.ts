/**
 * A driver task's `main()` wired to gRPC: the composition root of a driver inside its task's worker
 * thread. The environment submits to the driver's own cluster through a {@link DispatcherJobSubmitter};
 * {@link runDriver} itself knows only the JobSubmitter interface.
 */
import type { ClientSecurity } from '../../rpc/security/ClientSecurity.js';
import { runDriver, type RunDriverOptions } from '../runDriver.js';
import { DispatcherJobSubmitter } from './DispatcherJobSubmitter.js';

/** What a driver task's run needs: what {@link runDriver} needs, with the credentials instead of the submitter. */
export interface DriverTaskOptions extends Omit<RunDriverOptions, 'connectSubmitter'> {
  /** How the environment reaches the job manager (TLS, the cluster's secret); plaintext without credentials when not given. */
  clientSecurity?: ClientSecurity;
}

/** Runs the driver's `main()`, its jobs submitted over gRPC; settles as {@link runDriver} does. */
export function runDriverTask({ clientSecurity, ...options }: DriverTaskOptions): Promise<void> {
  return runDriver({
    ...options,
    connectSubmitter: (target) =>
      new DispatcherJobSubmitter({ ...target, security: clientSecurity, numberSubmissions: true }),
  });
}
