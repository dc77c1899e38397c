/** A cluster could not be deployed: which process failed, how, and the end of its log. */
import { FlotillaError } from '../common/errors.js';

/** Raised by a deployment target when a cluster does not come up. */
export class DeploymentError extends FlotillaError {
  override name = 'DeploymentError';
}
