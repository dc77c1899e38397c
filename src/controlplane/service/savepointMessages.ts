/** Converts application savepoints between `flotilla.v1.ApplicationSavepoint` and the control plane's domain. */
import type { ApplicationSavepoint as ApplicationSavepointMessage } from '../../../generated/flotilla/v1/events.js';
import type { ApplicationSavepoint } from '../model/ApplicationSavepoint.js';

/** A domain savepoint (stored events hold its time as an ISO string) as its proto message. */
export function applicationSavepointToMessage(savepoint: ApplicationSavepoint): ApplicationSavepointMessage {
  return {
    applicationId: savepoint.applicationId,
    path: savepoint.path,
    jobs: savepoint.jobs.map(({ jobId, jobName, path }) => ({ jobId, jobName, path })),
    createTime: new Date(savepoint.createTime),
  };
}
