/**
 * The one answer for every job manager address (`-m HOST:PORT`) a tenant cannot use: one that is
 * not listed for the tenant (an unused port, another tenant's job manager, any listener), and a
 * listed one that does not answer or does not take its listed secret. The same class, status
 * (NOT_FOUND, as for another tenant's ids), text and stack (none) for all of them, without the
 * address, so the answer tells nothing about what listens there; the control plane's log keeps the cause.
 */
import { NotFoundError } from '../../common/errors.js';

/** The text of every refusal of a `-m` address. */
export const JOB_MANAGER_NOT_USABLE_MESSAGE =
  'the job manager named with -m (cluster.jobmanager_address) cannot be used: it is not one the operator listed for you with --external-jobmanager, or it did not answer with the secret listed for it. Ask the operator which addresses you may name, or run on a cluster of this control plane (--cluster ID, or no -m to deploy one)';

/** A `-m` address the tenant cannot use. */
export class JobManagerNotUsableError extends NotFoundError {
  override name = 'JobManagerNotUsableError';

  constructor() {
    super(JOB_MANAGER_NOT_USABLE_MESSAGE);
    // The stack would show which check refused the address (its line), and it reaches the tenant with the application's failure.
    this.stack = `${this.name}: ${this.message}`;
  }
}
