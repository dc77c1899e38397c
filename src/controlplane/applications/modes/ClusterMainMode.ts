/**
 * What application and driver modes share: `main()` runs in the cluster (in the job manager, or
 * as a driver job in a slot), which reports the application's end itself (FLIP-40's
 * ApplicationStatusChanged); what its jobs imply applies only when the cluster does not report in
 * time. No client takes part once the application is accepted, so the requests of a client-side
 * `main()` are refused.
 */
import { FailedPreconditionError } from '../../../common/errors.js';
import type { Application } from '../../model/Application.js';
import type { ClientMainRequest, Settlement, SubmittedClientJob } from './SubmissionModeStrategy.js';

const REFUSALS: Record<ClientMainRequest, string> = {
  SubmitJob: 'its main() submits its jobs inside the cluster; SubmitJob is for SESSION and PER_JOB applications',
  CompleteClientMain:
    'its main() runs in the cluster, which reports its end; CompleteClientMain is for SESSION and PER_JOB applications',
  ClientHeartbeat: 'its main() runs in the cluster, and no client heartbeat is expected',
};

/** The base of the modes whose `main()` runs in the cluster. */
export abstract class ClusterMainMode {
  readonly clientRunsMain = false;
  readonly clusterPerJob = false;

  requireClientMain(application: Application, request: ClientMainRequest): void {
    throw new FailedPreconditionError(
      `application ${application.id} runs in ${application.mode} mode: ${REFUSALS[request]}`,
    );
  }

  submitJob(application: Application): Promise<SubmittedClientJob> {
    return Promise.reject(
      new FailedPreconditionError(
        `application ${application.id} runs in ${application.mode} mode: ${REFUSALS.SubmitJob}`,
      ),
    );
  }

  settle(): Settlement {
    return { end: 'byCluster' };
  }
}
