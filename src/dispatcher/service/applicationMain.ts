/** Converts RunApplicationMain requests between proto messages and the Dispatcher's {@link ApplicationMainSubmission}. */
import type { RunApplicationMainRequest } from '../../../generated/flotilla/v1/dispatcher_service.js';
import { InvalidArgumentError } from '../../common/errors.js';
import type { ApplicationMainSubmission } from '../DispatcherRequests.js';
import { bundleFromMessage, bundleToMessage } from '../../runtime/service/jobGraph.js';
import { resourceProfileFromMessage, resourceProfileToMessage } from '../../runtime/service/slots.js';
import {
  applicationRestoreFromMessage,
  applicationRestoreToMessage,
} from '../../runtime/service/applicationRestore.js';

/** The largest default parallelism a main() may ask for, as the control plane's. */
const MAX_DEFAULT_PARALLELISM = 1024;

/** A request as the Dispatcher's submission; a missing application id or bundle, or a parallelism out of range, is INVALID_ARGUMENT. */
export function applicationMainFromMessage(request: RunApplicationMainRequest): ApplicationMainSubmission {
  if (!request.applicationId)
    throw new InvalidArgumentError('application_id is required: the application whose main() runs');
  const bundle = bundleFromMessage(request.bundle);
  if (!bundle)
    throw new InvalidArgumentError(
      'bundle is required: the artifact id of a bundle uploaded to this cluster (UploadArtifact)',
    );
  if (request.defaultParallelism > MAX_DEFAULT_PARALLELISM) {
    throw new InvalidArgumentError(
      `default_parallelism must be 0 (1) to ${MAX_DEFAULT_PARALLELISM}, got ${request.defaultParallelism}`,
    );
  }
  return {
    applicationId: request.applicationId,
    applicationName: request.applicationName || request.applicationId,
    bundle,
    entry: request.entry,
    args: [...request.args],
    defaultParallelism: request.defaultParallelism || 1,
    properties: { ...request.properties },
    resources: resourceProfileFromMessage(request.resources),
    requestId: request.requestId || undefined,
    restore: applicationRestoreFromMessage(request.restore),
  };
}

/** A submission as its request message. */
export function applicationMainToMessage(submission: ApplicationMainSubmission): RunApplicationMainRequest {
  return {
    applicationId: submission.applicationId,
    applicationName: submission.applicationName,
    bundle: bundleToMessage(submission.bundle),
    entry: submission.entry,
    args: [...submission.args],
    defaultParallelism: submission.defaultParallelism,
    properties: { ...submission.properties },
    resources: resourceProfileToMessage(submission.resources),
    requestId: submission.requestId ?? '',
    restore: applicationRestoreToMessage(submission.restore),
  };
}
