/**
 * Changes an application's status and writes its events. A status change and its event are one
 * transaction; a change the lifecycle does not allow (or to the status it has) writes nothing. The
 * terminal status event is the last event of an application: later events are dropped, so a
 * watcher that follows can end right after it. The end is published (`applicationEnded`) after
 * the transaction that ended it has committed, for the work that must follow (tearing its cluster
 * down).
 */
import type { Logger } from '../../common/logger.js';
import type { SerializedError } from '../../common/status.js';
import type { ApplicationEventLog } from '../events/ApplicationEventLog.js';
import type { ControlPlaneEventPublisher } from '../events/ControlPlaneEvents.js';
import type { ApplicationEventKind } from '../model/ApplicationEvent.js';
import {
  canChangeApplicationStatus,
  isTerminalApplicationStatus,
  type ApplicationStatus,
} from '../model/ApplicationStatus.js';
import type { ApplicationChanges, ApplicationStore } from '../store/ApplicationStore.js';
import type { StateDatabase } from '../store/stateDatabase.js';

/** What the lifecycle needs. */
export interface ApplicationLifecycleOptions {
  db: StateDatabase;
  applications: ApplicationStore;
  log: ApplicationEventLog;
  logger: Logger;
  /** Where an application's end is published (after commit). */
  publisher: ControlPlaneEventPublisher;
}

/** Why a status changes. */
export interface StatusChange {
  message: string;
  failure?: SerializedError;
}

/** Status changes and events of applications. */
export class ApplicationLifecycle {
  constructor(private readonly options: ApplicationLifecycleOptions) {}

  /**
   * Moves the application to `status` with its event; true when it moved. An application that
   * reaches a terminal status gets its end time (and failure) recorded with it.
   */
  changeStatus(applicationId: string, status: ApplicationStatus, change: StatusChange): boolean {
    const { db, applications, log } = this.options;
    // A change that is not allowed (often: to the status it already has) writes nothing and costs no transaction.
    if (!canChangeApplicationStatus(applications.get(applicationId).status, status)) return false;
    const changed = db.transaction(() => {
      const application = applications.get(applicationId);
      if (!canChangeApplicationStatus(application.status, status)) return false;
      const terminal = isTerminalApplicationStatus(status);
      applications.update(
        applicationId,
        terminal ? { status, endTime: new Date(), failure: change.failure } : { status },
      );
      log.append(applicationId, {
        type: 'applicationStatusChanged',
        status,
        failure: change.failure,
        message: change.message,
      });
      return true;
    })();
    if (changed) {
      this.options.logger.info({ applicationId, status, message: change.message }, 'application status changed');
      if (isTerminalApplicationStatus(status)) setImmediate(() => this.ended(applicationId));
    }
    return changed;
  }

  /** Records an event of a running application (with `changes` to its record, in the same transaction); false, writing nothing, once it has ended. */
  record(applicationId: string, kind: ApplicationEventKind, changes: ApplicationChanges = {}): boolean {
    const { db, applications, log } = this.options;
    return db.transaction(() => {
      const application = applications.get(applicationId);
      if (isTerminalApplicationStatus(application.status)) return false;
      applications.update(applicationId, changes);
      log.append(applicationId, kind);
      return true;
    })();
  }

  private ended(applicationId: string): void {
    try {
      const application = this.options.applications.get(applicationId);
      // The transaction that ended it may have been rolled back.
      if (isTerminalApplicationStatus(application.status))
        this.options.publisher.publish({ type: 'applicationEnded', application });
    } catch (error) {
      this.options.logger.error({ err: error, applicationId }, 'work after the application ended failed');
    }
  }
}
