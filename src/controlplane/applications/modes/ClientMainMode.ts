/**
 * What session and per-job modes share: `main()` runs in the client, which submits the jobs
 * (SubmitJob), beats (ReportClientHeartbeat) and reports its end (CompleteClientMain). No cluster
 * sees such an application whole, so the control plane applies FLIP-40's rules itself, at once:
 * the client's reported end stands in for the driver job, and a cancelled application ends once
 * its jobs have.
 */
import type { Application } from '../../model/Application.js';
import type { ApplicationJobs } from '../../model/ApplicationJobs.js';
import type { ClientMainRequest, Settlement } from './SubmissionModeStrategy.js';

/** The base of the modes whose `main()` runs in the client. */
export abstract class ClientMainMode {
  readonly clientRunsMain = true;

  detached(requested: boolean): boolean {
    return requested;
  }

  requireClientMain(_application: Application, _request: ClientMainRequest): void {}

  settle(application: Application, jobs: ApplicationJobs): Settlement {
    if (application.status === 'CANCELING') {
      return jobs.active.length === 0
        ? { end: 'now', status: 'CANCELED', message: 'cancelled; every job of the application ended' }
        : undefined;
    }
    const outcome = jobs.impliedOutcome();
    return outcome && { end: 'now', ...outcome };
  }
}
