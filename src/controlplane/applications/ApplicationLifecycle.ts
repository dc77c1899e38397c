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
import type { ApplicationChanges } from '../store/ApplicationStore.js';
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
   * change is part of that unit of work (in a savepoint of its own); else it is a unit of its own.
   */
  async changeStatus(
    applicationId: string,
    status: ApplicationStatus,
    change: StatusChange,
    tx?: StoreTransaction,
  ): Promise<boolean> {
    const { store, log } = this.options;
    const scope = tx ?? store;
    // A change that is not allowed (often: to the status it already has) writes nothing and costs no transaction.
    if (!canChangeApplicationStatus((await scope.applications.get(applicationId)).status, status)) return false;
    const changed = await scope.transaction(async (unit) => {
      const application = await unit.applications.get(applicationId);
      if (!canChangeApplicationStatus(application.status, status)) return false;
      const terminal = isTerminalApplicationStatus(status);
      await unit.applications.update(
        applicationId,
        terminal ? { status, endTime: new Date(), failure: change.failure } : { status },
      );
      await log.append(unit, applicationId, {
        type: 'applicationStatusChanged',
        status,
        failure: change.failure,
        message: change.message,
      });
      if (terminal) unit.afterCommit(() => setImmediate(() => void this.ended(applicationId)));
      return true;
    });
    if (changed)
      this.options.logger.info({ applicationId, status, message: change.message }, 'application status changed');
    return changed;
  }

  /**
   * Records an event of a running application (with `changes` to its record, in the same
   * transaction); false, writing nothing, once it has ended. Given `tx`, part of that unit of work.
   */
  async record(
    applicationId: string,
    kind: ApplicationEventKind,
    changes: ApplicationChanges = {},
    tx?: StoreTransaction,
  ): Promise<boolean> {
    const { store, log } = this.options;
    return (tx ?? store).transaction(async (unit) => {
      const application = await unit.applications.get(applicationId);
      if (isTerminalApplicationStatus(application.status)) return false;
      await unit.applications.update(applicationId, changes);
      await log.append(unit, applicationId, kind);
      return true;
    });
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
