/**
 * The control plane's applications, as a port: one record per accepted application, written
 * before the submission is answered. A request id is unique per tenant, so a retried submission
 * finds the first application. Every method may do I/O, so each returns a promise; an application
 * read is shared, never changed in place by its reader.
 */
import type { Application } from '../model/Application.js';
import type { ApplicationStatus } from '../model/ApplicationStatus.js';

/** What may change in an application after it was accepted. */
export type ApplicationChanges = Partial<
  Pick<
    Application,
    | 'status'
    | 'clusterId'
    | 'ownsCluster'
    | 'driverJobId'
    | 'jobIds'
    | 'failure'
    | 'endTime'
    | 'clientMainEndTime'
    | 'clientMainFailure'
    | 'attempts'
    | 'lastSavepoint'
  >
>;

/** A page of applications. */
export interface ApplicationPage {
  /** Newest first. */
  applications: Application[];
  /** Empty on the last page. */
  nextPageToken: string;
}

/** What {@link ApplicationStore.list} asks for. */
export interface ApplicationListRequest {
  pageSize: number;
  pageToken: string;
  /** Only these statuses; empty for every status. */
  statuses: readonly ApplicationStatus[];
  /** Only this tenant's applications. */
  tenant: string;
}

/** Applications in the control plane's state. */
export interface ApplicationStore {
  /** Records a new application (its event log starts empty, at sequence 0). */
  insert(application: Application): Promise<void>;
  /** The application, or undefined. */
  find(id: string): Promise<Application | undefined>;
  /**
   * The application; NOT_FOUND naming the id when there is none, or (given `tenant`) when it is
   * another tenant's: the answer is the same, so an id reveals nothing of other tenants.
   */
  get(id: string, tenant?: string): Promise<Application>;
  /** The tenant's newest application of this name, if any (the previous run `run -r` resumes). */
  findLatestByName(name: string, tenant: string): Promise<Application | undefined>;
  /**
   * The application as last committed, or undefined, read under its row lock, which the unit of
   * work holds until it ends: a unit that decides by the application's status before it writes (has
   * it ended? may it move to this status?) sees every change committed before, and no other unit
   * changes the application until this one has ended. Several replicas on one database (PostgreSQL,
   * READ COMMITTED) need it; a store whose units run one at a time (SQLite) answers as {@link find}.
   * Outside a unit, the same as {@link find}.
   */
  findForUpdate(id: string): Promise<Application | undefined>;
  /** The tenant's application submitted with this request id, if any. */
  findByRequestId(requestId: string, tenant: string): Promise<Application | undefined>;
  /** Applies `changes` to the application. */
  update(id: string, changes: ApplicationChanges): Promise<void>;
  /** A page of a tenant's applications, newest first. */
  list(request: ApplicationListRequest): Promise<ApplicationPage>;
  /** How many of a tenant's applications have not ended. */
  countActive(tenant: string): Promise<number>;
  /** How many applications there are of each tenant, status and mode (those with none left out). */
  countByStatusAndMode(): Promise<ApplicationCount[]>;
  /** Every application that has not ended, oldest first. */
  active(): Promise<Application[]>;
  /**
   * The session and per-job applications that have not ended and whose client-side main() has not
   * reported its end, oldest first, each with how long ago its client's last heartbeat was recorded.
   */
  awaitingClientMain(): Promise<AwaitedClientMain[]>;
  /**
   * Records that the client running the application's main() was heard from now, by the store's
   * clock (the database's, for PostgreSQL): whichever replica received the heartbeat, the replica
   * that watches the application reads it ({@link awaitingClientMain}).
   */
  recordClientHeartbeat(id: string): Promise<void>;
  /** The applications on a cluster that have not ended, oldest first. */
  activeOnCluster(clusterId: string): Promise<Application[]>;
}

/** A client-side main() that has not reported its end. */
export interface AwaitedClientMain {
  applicationId: string;
  /** Milliseconds since its client's last recorded heartbeat, by the store's clock; undefined when none was recorded. */
  silentMs: number | undefined;
}

/** How many applications one tenant has in one status and mode. */
export interface ApplicationCount {
  tenant: string;
  status: ApplicationStatus;
  mode: Application['mode'];
  count: number;
}
