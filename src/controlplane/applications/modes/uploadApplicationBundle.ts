/** Puts an application's bundle on a cluster's blob server, so its task executors can load the application's functions. */
import type { ArtifactStore } from '../../../blob/ArtifactStore.js';
import { FailedPreconditionError } from '../../../common/errors.js';
import type { DispatcherGateway } from '../../clusters/DispatcherGateway.js';
import type { Application } from '../../model/Application.js';

/** Uploads the application's stored bundle to the cluster behind `gateway` (skipped when the cluster has it). */
export async function uploadApplicationBundle(
  artifacts: ArtifactStore,
  gateway: DispatcherGateway,
  application: Application,
  signal?: AbortSignal,
): Promise<void> {
  if (!('artifactId' in application.bundle))
    throw new FailedPreconditionError('the application names no stored bundle');
  await artifacts.refresh(application.bundle.artifactId);
  const artifact = artifacts.get(application.bundle.artifactId);
  await gateway.uploadBundle(artifacts.pathOf(artifact.id), artifact.fileName || `${artifact.id}.tgz`, signal);
}
