/**
 * The control plane's schema, as an append-only list of migrations. A migration, once released,
 * is never edited: a change to the schema is a new entry at the end.
 */
import type { Migration } from '../Migration.js';

export type { Migration };

/** Every migration, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'artifacts: bundles stored by sha256',
    sql: `
      CREATE TABLE artifacts (
        id          TEXT PRIMARY KEY,
        size_bytes  INTEGER NOT NULL,
        file_name   TEXT NOT NULL,
        created_at  INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    description: 'applications, their event logs, and the clusters they run on',
    sql: `
      CREATE TABLE applications (
        ordinal              INTEGER PRIMARY KEY AUTOINCREMENT,
        id                   TEXT NOT NULL UNIQUE,
        name                 TEXT NOT NULL,
        status               TEXT NOT NULL CHECK (status IN ('CREATED', 'DEPLOYING', 'RUNNING', 'FAILING', 'FAILED', 'CANCELING', 'CANCELED', 'FINISHED')),
        mode                 TEXT NOT NULL CHECK (mode IN ('SESSION', 'PER_JOB', 'APPLICATION', 'DRIVER')),
        detached             INTEGER NOT NULL CHECK (detached IN (0, 1)),
        bundle_json          TEXT NOT NULL,
        entry                TEXT NOT NULL,
        args_json            TEXT NOT NULL,
        driver_resources_json TEXT NOT NULL,
        parallelism          INTEGER NOT NULL CHECK (parallelism >= 1),
        properties_json      TEXT NOT NULL,
        savepoint_json       TEXT,
        target_json          TEXT NOT NULL,
        cluster_id           TEXT REFERENCES clusters (id),
        owns_cluster         INTEGER NOT NULL DEFAULT 0 CHECK (owns_cluster IN (0, 1)),
        driver_job_id        TEXT NOT NULL DEFAULT '',
        job_ids_json         TEXT NOT NULL DEFAULT '[]',
        failure_json         TEXT,
        last_event_sequence  INTEGER NOT NULL DEFAULT 0,
        request_id           TEXT,
        request_fingerprint  TEXT NOT NULL DEFAULT '',
        created_at           INTEGER NOT NULL,
        ended_at             INTEGER
      ) STRICT;
      CREATE UNIQUE INDEX applications_by_request_id ON applications (request_id) WHERE request_id IS NOT NULL;
      CREATE INDEX applications_by_status ON applications (status);
      CREATE INDEX applications_by_cluster ON applications (cluster_id);

      CREATE TABLE application_events (
        application_id  TEXT NOT NULL REFERENCES applications (id),
        sequence        INTEGER NOT NULL CHECK (sequence >= 1),
        time            INTEGER NOT NULL,
        type            TEXT NOT NULL,
        event_json      TEXT NOT NULL,
        PRIMARY KEY (application_id, sequence)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE clusters (
        ordinal                   INTEGER PRIMARY KEY AUTOINCREMENT,
        id                        TEXT NOT NULL UNIQUE,
        name                      TEXT NOT NULL,
        status                    TEXT NOT NULL CHECK (status IN ('DEPLOYING', 'RUNNING', 'STOPPING', 'STOPPED', 'FAILED')),
        deployment_target         TEXT NOT NULL,
        owner_application_id      TEXT REFERENCES applications (id),
        jobmanager_address        TEXT NOT NULL DEFAULT '',
        spec_json                 TEXT NOT NULL,
        folder                    TEXT NOT NULL DEFAULT '',
        registered_task_executors INTEGER NOT NULL DEFAULT 0,
        last_job_event_sequence   INTEGER NOT NULL DEFAULT 0,
        request_id                TEXT,
        request_fingerprint       TEXT NOT NULL DEFAULT '',
        created_at                INTEGER NOT NULL,
        ended_at                  INTEGER,
        failure_json              TEXT
      ) STRICT;
      CREATE UNIQUE INDEX clusters_by_request_id ON clusters (request_id) WHERE request_id IS NOT NULL;
      CREATE INDEX clusters_by_status ON clusters (status);

      CREATE TABLE cluster_processes (
        cluster_id   TEXT NOT NULL REFERENCES clusters (id),
        role         TEXT NOT NULL CHECK (role IN ('jobmanager', 'taskexecutor')),
        idx          INTEGER NOT NULL,
        pid          INTEGER NOT NULL,
        stdout_file  TEXT NOT NULL,
        log_file     TEXT NOT NULL,
        started_at   INTEGER NOT NULL,
        PRIMARY KEY (cluster_id, role, idx)
      ) STRICT;
    `,
  },
  {
    version: 3,
    description: 'jobs of applications, and the end of a client-side main()',
    sql: `
      CREATE TABLE jobs (
        ordinal          INTEGER PRIMARY KEY AUTOINCREMENT,
        id               TEXT NOT NULL UNIQUE,
        application_id   TEXT NOT NULL REFERENCES applications (id),
        cluster_id       TEXT NOT NULL REFERENCES clusters (id),
        name             TEXT NOT NULL,
        living_priority  TEXT NOT NULL CHECK (living_priority IN ('DRIVER', 'NORMAL', 'DAEMON')),
        status           TEXT NOT NULL,
        restarts         INTEGER NOT NULL DEFAULT 0,
        request_id       TEXT,
        created_at       INTEGER NOT NULL,
        ended_at         INTEGER,
        failure_json     TEXT
      ) STRICT;
      CREATE INDEX jobs_by_application ON jobs (application_id);
      CREATE INDEX jobs_by_cluster ON jobs (cluster_id);
      CREATE UNIQUE INDEX jobs_by_request_id ON jobs (application_id, request_id) WHERE request_id IS NOT NULL;

      ALTER TABLE applications ADD COLUMN client_main_ended_at INTEGER;
      ALTER TABLE applications ADD COLUMN client_main_failure_json TEXT;
    `,
  },
  {
    version: 4,
    description: "driver logs: what an application's main() wrote, by byte offset",
    sql: `
      CREATE TABLE driver_log (
        application_id  TEXT NOT NULL REFERENCES applications (id),
        offset          INTEGER NOT NULL CHECK (offset >= 0),
        stream          TEXT NOT NULL CHECK (stream IN ('STDOUT', 'STDERR', 'LOGGER')),
        time            INTEGER NOT NULL,
        data            BLOB NOT NULL,
        PRIMARY KEY (application_id, offset)
      ) STRICT, WITHOUT ROWID;

      -- Where the control plane's copy of the driver's output has got to on the cluster (an offset of the driver job's output).
      ALTER TABLE applications ADD COLUMN driver_log_source_offset INTEGER NOT NULL DEFAULT 0;
      -- The offset just past the newest byte of the application's own log (it runs ahead of the source after a note of lost output).
      ALTER TABLE applications ADD COLUMN driver_log_end_offset INTEGER NOT NULL DEFAULT 0;
      -- When the copy ended (the driver job's output was drained, or its cluster or job was gone); NULL while it goes on.
      ALTER TABLE applications ADD COLUMN driver_log_completed_at INTEGER;
    `,
  },
  {
    version: 5,
    description: 'retention: the oldest event and driver log offset each application still keeps',
    sql: `
      ALTER TABLE applications ADD COLUMN first_kept_sequence INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE applications ADD COLUMN driver_log_first_kept_offset INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE applications ADD COLUMN compacted_at INTEGER;
      CREATE INDEX applications_by_end ON applications (ended_at) WHERE ended_at IS NOT NULL;
    `,
  },
  {
    version: 6,
    description: "tenants of applications and clusters, and each deployed cluster's secret",
    sql: `
      -- The tenant (auth config) that submitted the application or deployed the cluster; '' is the single tenant of a control plane without tokens.
      ALTER TABLE applications ADD COLUMN tenant TEXT NOT NULL DEFAULT '';
      ALTER TABLE clusters ADD COLUMN tenant TEXT NOT NULL DEFAULT '';
      -- What the cluster's members and the control plane present to its job manager and task executors; '' for clusters deployed without one.
      ALTER TABLE clusters ADD COLUMN cluster_secret TEXT NOT NULL DEFAULT '';
      CREATE INDEX applications_by_tenant ON applications (tenant, ordinal);
      CREATE INDEX clusters_by_tenant ON clusters (tenant, ordinal);
      -- Request ids are each tenant's own: the same id from two tenants names two submissions.
      DROP INDEX applications_by_request_id;
      CREATE UNIQUE INDEX applications_by_request_id ON applications (tenant, request_id) WHERE request_id IS NOT NULL;
      DROP INDEX clusters_by_request_id;
      CREATE UNIQUE INDEX clusters_by_request_id ON clusters (tenant, request_id) WHERE request_id IS NOT NULL;
    `,
  },
  {
    version: 7,
    description: 'clusters by the application that owns them',
    sql: `
      -- Tearing down an application's own clusters looked them up with a scan of every cluster ever recorded.
      CREATE INDEX clusters_by_owner ON clusters (owner_application_id) WHERE owner_application_id IS NOT NULL;
    `,
  },
  {
    version: 8,
    description: "clusters keep the deployment target's reference to them, not their processes",
    sql: `
      -- The deployment target keeps its own record of a cluster's members (the local target in the
      -- cluster's folder, which is the reference it hands out; labels on Kubernetes): no pid is the control plane's.
      ALTER TABLE clusters RENAME COLUMN folder TO deployment_reference;
      DROP TABLE cluster_processes;
    `,
  },
  {
    version: 9,
    description: 'keys the store holds: the key of its page tokens',
    sql: `
      -- Page tokens carry an ordinal (shared by every tenant) encrypted with this key, so they show
      -- no count of other tenants' rows; kept here so that tokens outlive a restart. The store
      -- writes a new random key when it finds none.
      CREATE TABLE store_keys (
        name  TEXT PRIMARY KEY,
        key   BLOB NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 10,
    description: 'leases of followers with fencing tokens (one process on SQLite holds them all)',
    sql: `
      -- Which control-plane process follows a cluster (or launches an application with no live
      -- cluster), until when, and the fencing token its writes carry (docs/postgresql.md).
      CREATE TABLE follower_leases (
        subject_id     TEXT PRIMARY KEY,
        holder         TEXT NOT NULL,
        fencing_token  INTEGER NOT NULL,
        expires_at     INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX follower_leases_by_expiry ON follower_leases (expires_at);
    `,
  },
  {
    version: 11,
    description: 'driver attempts, and the record of each job a driver submitted, for replay in a later attempt',
    sql: `
      -- How many driver attempts the application may use, and those started so far (JSON, oldest first, each with its cause).
      ALTER TABLE applications ADD COLUMN driver_attempts INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE applications ADD COLUMN attempts_json TEXT NOT NULL DEFAULT '[]';
      -- The driver job the driver log copy reads from once a later attempt's driver took over ('' for the first driver job).
      ALTER TABLE applications ADD COLUMN driver_log_source_job_id TEXT NOT NULL DEFAULT '';
      -- One row per job a driver attempt submitted: its ordinal within the attempt, the fingerprint of
      -- its job graph, the job and, once it ended, its terminal status and result (collected records
      -- included, bounded by a setting), so that a later attempt is answered from here and a lost job
      -- manager loses none of it.
      CREATE TABLE driver_submissions (
        application_id  TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
        attempt         INTEGER NOT NULL,
        ordinal         INTEGER NOT NULL,
        fingerprint     TEXT NOT NULL,
        job_id          TEXT NOT NULL,
        job_name        TEXT NOT NULL,
        cluster_id      TEXT NOT NULL,
        status          TEXT,
        result          BLOB,
        submitted_at    INTEGER NOT NULL,
        ended_at        INTEGER,
        PRIMARY KEY (application_id, attempt, ordinal)
      ) STRICT;
      CREATE INDEX driver_submissions_by_job ON driver_submissions (job_id);
    `,
  },
  {
    version: 12,
    description: 'whether a driver that failed by its own doing is started again too (--driver-retry-own-failures)',
    sql: `
      ALTER TABLE applications ADD COLUMN driver_retry_own_failures INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 13,
    description: "an application's latest savepoint, and the lookup of a tenant's previous run of a name (run -r)",
    sql: `
      -- The latest savepoint taken of the application (JSON: its folder and each job's savepoint).
      ALTER TABLE applications ADD COLUMN last_savepoint_json TEXT;
      CREATE INDEX applications_by_tenant_name ON applications (tenant, name, ordinal);
    `,
  },
  {
    version: 14,
    description: "when the client running a session or per-job application's main() last sent a heartbeat",
    sql: `
      -- Written by the process that received the heartbeat (ms since the epoch), read by the one that
      -- watches the application's client; NULL until the first heartbeat.
      ALTER TABLE applications ADD COLUMN client_heartbeat_at INTEGER;
    `,
  },
];
