/**
 * Changes an application's status and writes its events. A status change and its event are one
 * transaction; a change the lifecycle does not allow (or to the status it has) writes nothing. The
 * terminal status event is the last event of an application: later events are dropped, so a
 * watcher that follows can end right after it. Every check of the status reads the application
 * under its row lock, so a replica that read it running cannot append after another replica's
 * unit ended it (READ COMMITTED on PostgreSQL). The end is published (`applicationEnded`) after
 * the transaction that ended it has committed, for the work that must follow (tearing its cluster
 * down).
 */
import type { Logger } from '../../common/logger.js';
import type { SerializedError } from '../../common/status.js';
import type { ApplicationEventLog } from '../events/ApplicationEventLog.js';
import type { ControlPlaneEventPublisher } from '../events/ControlPlaneEvents.js';
import type { Application } from '../model/Application.js';
import type { ApplicationEventKind } from '../model/ApplicationEvent.js';
import {
  canChangeApplicationStatus,
  isTerminalApplicationStatus,
  type ApplicationStatus,
} from '../model/ApplicationStatus.js';
import type { ApplicationChanges } from '../store/ApplicationStore.js';
import { applicationFailureCategory } from '../model/FailureCategory.js';
import type { StoreScope, StoreTransaction } from '../store/ControlPlaneStore.js';

/** What the lifecycle needs. */
export interface ApplicationLifecycleOptions {
  store: StoreScope;
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
   * reaches a terminal status gets its end time (and failure) recorded with it. Given `tx`, the
   * change is part of that unit of work (a failure fails the unit: no savepoint of its own, which
   * only a caller that catches the error and goes on would need, and none does); else it is a
   * unit of its own. A change the lifecycle does not allow (often: to the status it
   * has) writes nothing: the application is read once, in the unit it is checked in.
   */
  async changeStatus(
    applicationId: string,
    status: ApplicationStatus,
    change: StatusChange,
    tx?: StoreTransaction,
  ): Promise<boolean> {
    const changed = tx
      ? await this.changeIn(tx, applicationId, status, change)
      : await this.options.store.transaction((unit) => this.changeIn(unit, applicationId, status, change));
    if (changed)
      this.options.logger.info({ applicationId, status, message: change.message }, 'application status changed');
    return changed;
  }

  /**
   * Records an event of a running application (with `changes` to its record, in the same
   * transaction); false, writing nothing, once it has ended. Given `tx`, part of that unit of work
   * (a failure fails the unit).
   */
  async record(
    applicationId: string,
    kind: ApplicationEventKind,
    changes: ApplicationChanges = {},
    tx?: StoreTransaction,
  ): Promise<boolean> {
    if (!tx) return this.options.store.transaction((unit) => this.recordIn(unit, applicationId, kind, changes));
    return this.recordIn(tx, applicationId, kind, changes);
  }

  /**
   * As {@link record} inside the unit `tx`, for an application the caller has just read in it
   * under its row lock (`findForUpdate`) and not written since (the router, which reads it to
   * decide where an event goes): not read again.
   */
  recordAsRead(
    tx: StoreTransaction,
    application: Application,
    kind: ApplicationEventKind,
    changes: ApplicationChanges = {},
  ): Promise<boolean> {
    if (isTerminalApplicationStatus(application.status)) return Promise.resolve(false);
    return this.write(tx, application.id, kind, changes);
  }

  /** The record inside the unit `tx`. */
  private async recordIn(
    tx: StoreTransaction,
    applicationId: string,
    kind: ApplicationEventKind,
    changes: ApplicationChanges,
  ): Promise<boolean> {
    const application = await lockedApplication(tx, applicationId);
    if (isTerminalApplicationStatus(application.status)) return false;
    return this.write(tx, applicationId, kind, changes);
  }

  /** Writes an event of a running application with `changes` to its record. */
  private async write(
    tx: StoreTransaction,
    applicationId: string,
    kind: ApplicationEventKind,
    changes: ApplicationChanges,
  ): Promise<boolean> {
    if (hasChanges(changes)) await tx.applications.update(applicationId, changes);
    await this.options.log.append(tx, applicationId, kind);
    return true;
  }

  /** The status change inside the unit `tx`: checked against the application as it is there, then written. */
  private async changeIn(
    tx: StoreTransaction,
    applicationId: string,
    status: ApplicationStatus,
    change: StatusChange,
  ): Promise<boolean> {
    const application = await lockedApplication(tx, applicationId);
    if (!canChangeApplicationStatus(application.status, status)) return false;
    const terminal = isTerminalApplicationStatus(status);
    const endTime = new Date();
    await tx.applications.update(
      applicationId,
      terminal
        ? { status, endTime, failure: change.failure, ...lastAttemptEnded(application, status, change, endTime) }
        : { status },
    );
    await this.options.log.append(tx, applicationId, {
      type: 'applicationStatusChanged',
      status,
      failure: change.failure,
      message: change.message,
    });
    if (terminal) tx.afterCommit(() => setImmediate(() => void this.ended(applicationId)));
    return true;
  }

  private async ended(applicationId: string): Promise<void> {
    try {
      const application = await this.options.store.applications.get(applicationId);
      // The transaction that ended it may have been rolled back.
      if (isTerminalApplicationStatus(application.status))
        await this.options.publisher.publish({ type: 'applicationEnded', application });
    } catch (error) {
      this.options.logger.error({ err: error, applicationId }, 'work after the application ended failed');
    }
  }
}

/**
 * The application in the unit `tx`, read under its row lock (NOT_FOUND when unknown): whether it
 * has ended is decided on what was last committed, and no unit of another replica can end it
 * between this check and the event written after it, so its terminal status event stays its last.
 */
async function lockedApplication(tx: StoreTransaction, applicationId: string): Promise<Application> {
  return (await tx.applications.findForUpdate(applicationId)) ?? tx.applications.get(applicationId);
}

/** Whether `changes` changes anything (most events change nothing but the log). */
function hasChanges(changes: ApplicationChanges): boolean {
  for (const key in changes) if (Object.hasOwn(changes, key)) return true;
  return false;
}

/** The application's driver attempts with the last one ended as the application ends, when it had several. */
function lastAttemptEnded(
  application: Application,
  status: ApplicationStatus,
  change: StatusChange,
  endTime: Date,
): ApplicationChanges {
  const last = application.attempts.at(-1);
  if (!last || last.endTime) return {};
  const ended = { ...last, endTime, category: applicationFailureCategory(status, change.failure) };
  if (change.failure) Object.assign(ended, { cause: change.failure });
  if (!ended.category) delete ended.category;
  return { attempts: [...application.attempts.slice(0, -1), ended] };
}
