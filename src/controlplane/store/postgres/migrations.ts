/**
 * The PostgreSQL store's schema, as an append-only list of migrations: a migration, once released,
 * is never edited, and a change to the schema is a new entry at the end. The list is PostgreSQL's
 * own (its versions are not SQLite's): version 1 is the whole schema the SQLite store reached in
 * its nine migrations, in PostgreSQL's types (timestamptz for instants, boolean, bytea, bigint
 * counters and offsets); version 2 is SQLite's migration 10 (follower leases), version 3 its migration 11 (driver attempts and submissions),
 * version 4 its migration 12 (driver_retry_own_failures), version 5 its migration 13 (last_savepoint_json, applications_by_tenant_name),
 * version 6 its migration 14 (client_heartbeat_at).
 * JSON columns are text, read back exactly as written.
 *
 * Several replicas of the control plane will share one database (issue 14): the rows of clusters
 * are keyed by their id alone, so a later migration can add a lease per cluster (holder, expiry and
 * a fencing token that every write of the cluster's follower carries) without changing them.
 */
import type { Migration } from '../Migration.js';

/** Every migration, in order. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'applications and their event logs, clusters, jobs, driver logs, artifacts and store keys',
    sql: `
      CREATE TABLE artifacts (
        id          text PRIMARY KEY,
        size_bytes  bigint NOT NULL,
        file_name   text NOT NULL,
        created_at  timestamptz NOT NULL
      );

      CREATE TABLE applications (
        ordinal                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id                            text NOT NULL UNIQUE,
        tenant                        text NOT NULL DEFAULT '',
        name                          text NOT NULL,
        status                        text NOT NULL CHECK (status IN ('CREATED', 'DEPLOYING', 'RUNNING', 'FAILING', 'FAILED', 'CANCELING', 'CANCELED', 'FINISHED')),
        mode                          text NOT NULL CHECK (mode IN ('SESSION', 'PER_JOB', 'APPLICATION', 'DRIVER')),
        detached                      boolean NOT NULL,
        bundle_json                   text NOT NULL,
        entry                         text NOT NULL,
        args_json                     text NOT NULL,
        driver_resources_json         text NOT NULL,
        parallelism                   integer NOT NULL CHECK (parallelism >= 1),
        properties_json               text NOT NULL,
        savepoint_json                text,
        target_json                   text NOT NULL,
        cluster_id                    text,
        owns_cluster                  boolean NOT NULL DEFAULT false,
        driver_job_id                 text NOT NULL DEFAULT '',
        job_ids_json                  text NOT NULL DEFAULT '[]',
        failure_json                  text,
        last_event_sequence           bigint NOT NULL DEFAULT 0,
        request_id                    text,
        request_fingerprint           text NOT NULL DEFAULT '',
        created_at                    timestamptz NOT NULL,
        ended_at                      timestamptz,
        client_main_ended_at          timestamptz,
        client_main_failure_json      text,
        -- Where the copy of the driver's output has got to on the cluster, and the end of the application's own log.
        driver_log_source_offset      bigint NOT NULL DEFAULT 0,
        driver_log_end_offset         bigint NOT NULL DEFAULT 0,
        driver_log_completed_at       timestamptz,
        -- Retention: the oldest event and driver log offset still kept.
        first_kept_sequence           bigint NOT NULL DEFAULT 1,
        driver_log_first_kept_offset  bigint NOT NULL DEFAULT 0,
        compacted_at                  timestamptz
      );
      -- Request ids are each tenant's own: the same id from two tenants names two submissions.
      CREATE UNIQUE INDEX applications_by_request_id ON applications (tenant, request_id) WHERE request_id IS NOT NULL;
      CREATE INDEX applications_by_tenant ON applications (tenant, ordinal);
      CREATE INDEX applications_active ON applications (ordinal) WHERE status NOT IN ('FAILED', 'CANCELED', 'FINISHED');
      CREATE INDEX applications_by_cluster ON applications (cluster_id) WHERE cluster_id IS NOT NULL;
      CREATE INDEX applications_by_end ON applications (ended_at) WHERE ended_at IS NOT NULL;

      CREATE TABLE application_events (
        application_id  text NOT NULL REFERENCES applications (id),
        sequence        bigint NOT NULL CHECK (sequence >= 1),
        time            timestamptz NOT NULL,
        type            text NOT NULL,
        event_json      text NOT NULL,
        PRIMARY KEY (application_id, sequence)
      );

      CREATE TABLE clusters (
        ordinal                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id                         text NOT NULL UNIQUE,
        tenant                     text NOT NULL DEFAULT '',
        cluster_secret             text NOT NULL DEFAULT '',
        name                       text NOT NULL,
        status                     text NOT NULL CHECK (status IN ('DEPLOYING', 'RUNNING', 'STOPPING', 'STOPPED', 'FAILED')),
        deployment_target          text NOT NULL,
        owner_application_id       text REFERENCES applications (id),
        jobmanager_address         text NOT NULL DEFAULT '',
        spec_json                  text NOT NULL,
        deployment_reference       text NOT NULL DEFAULT '',
        registered_task_executors  integer NOT NULL DEFAULT 0,
        last_job_event_sequence    bigint NOT NULL DEFAULT 0,
        request_id                 text,
        request_fingerprint        text NOT NULL DEFAULT '',
        created_at                 timestamptz NOT NULL,
        ended_at                   timestamptz,
        failure_json               text
      );
      CREATE UNIQUE INDEX clusters_by_request_id ON clusters (tenant, request_id) WHERE request_id IS NOT NULL;
      CREATE INDEX clusters_by_tenant ON clusters (tenant, ordinal);
      CREATE INDEX clusters_active ON clusters (ordinal) WHERE status NOT IN ('STOPPED', 'FAILED');
      CREATE INDEX clusters_by_owner ON clusters (owner_application_id) WHERE owner_application_id IS NOT NULL;
      CREATE INDEX clusters_by_jobmanager ON clusters (jobmanager_address);
      ALTER TABLE applications ADD FOREIGN KEY (cluster_id) REFERENCES clusters (id);

      CREATE TABLE jobs (
        ordinal          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id               text NOT NULL UNIQUE,
        application_id   text NOT NULL REFERENCES applications (id),
        cluster_id       text NOT NULL REFERENCES clusters (id),
        name             text NOT NULL,
        living_priority  text NOT NULL CHECK (living_priority IN ('DRIVER', 'NORMAL', 'DAEMON')),
        status           text NOT NULL,
        restarts         integer NOT NULL DEFAULT 0,
        request_id       text,
        created_at       timestamptz NOT NULL,
        ended_at         timestamptz,
        failure_json     text
      );
      CREATE INDEX jobs_by_application ON jobs (application_id, ordinal);
      CREATE INDEX jobs_by_cluster ON jobs (cluster_id, ordinal);
      CREATE UNIQUE INDEX jobs_by_request_id ON jobs (application_id, request_id) WHERE request_id IS NOT NULL;

      CREATE TABLE driver_log (
        application_id  text NOT NULL REFERENCES applications (id),
        log_offset      bigint NOT NULL CHECK (log_offset >= 0),
        stream          text NOT NULL CHECK (stream IN ('STDOUT', 'STDERR', 'LOGGER')),
        time            timestamptz NOT NULL,
        data            bytea NOT NULL,
        PRIMARY KEY (application_id, log_offset)
      );

      -- Keys the store holds (the key of its page tokens), made at random by the first replica that finds none.
      CREATE TABLE store_keys (
        name  text PRIMARY KEY,
        key   bytea NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'leases of followers with fencing tokens',
    sql: `
      -- Which replica follows a cluster (or launches an application with no live cluster), until
      -- when by the database's clock, and the fencing token its writes carry (docs/postgresql.md).
      CREATE TABLE follower_leases (
        subject_id     text PRIMARY KEY,
        holder         text NOT NULL,
        fencing_token  bigint NOT NULL,
        expires_at     timestamptz NOT NULL
      );
      CREATE INDEX follower_leases_by_expiry ON follower_leases (expires_at);
    `,
  },
  {
    version: 3,
    description: 'driver attempts, and the record of each job a driver submitted, for replay in a later attempt',
    sql: `
      -- How many driver attempts the application may use, and those started so far (JSON, oldest first, each with its cause).
      ALTER TABLE applications ADD COLUMN driver_attempts integer NOT NULL DEFAULT 1 CHECK (driver_attempts >= 1);
      ALTER TABLE applications ADD COLUMN attempts_json text NOT NULL DEFAULT '[]';
      -- The driver job the driver log copy reads from once a later attempt's driver took over ('' for the first driver job).
      ALTER TABLE applications ADD COLUMN driver_log_source_job_id text NOT NULL DEFAULT '';

      -- One row per job a driver attempt submitted: its ordinal within the attempt, the fingerprint of
      -- its job graph, the job and, once it ended, its terminal status and result (collected records
      -- included, bounded by a setting), so that a later attempt is answered from here and a lost job
      -- manager loses none of it.
      CREATE TABLE driver_submissions (
        application_id  text NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
        attempt         integer NOT NULL CHECK (attempt >= 1),
        ordinal         integer NOT NULL CHECK (ordinal >= 1),
        fingerprint     text NOT NULL,
        job_id          text NOT NULL,
        job_name        text NOT NULL,
        cluster_id      text NOT NULL,
        status          text,
        result          bytea,
        submitted_at    timestamptz NOT NULL,
        ended_at        timestamptz,
        PRIMARY KEY (application_id, attempt, ordinal)
      );
      CREATE INDEX driver_submissions_by_job ON driver_submissions (job_id);
    `,
  },
  {
    version: 4,
    description: 'whether a driver that failed by its own doing is started again too (--driver-retry-own-failures)',
    sql: `
      ALTER TABLE applications ADD COLUMN driver_retry_own_failures boolean NOT NULL DEFAULT false;
    `,
  },
  {
    version: 5,
    description: "an application's latest savepoint, and the lookup of a tenant's previous run of a name (run -r)",
    sql: `
      -- The latest savepoint taken of the application (JSON: its folder and each job's savepoint).
      ALTER TABLE applications ADD COLUMN last_savepoint_json text;
      CREATE INDEX applications_by_tenant_name ON applications (tenant, name, ordinal);
    `,
  },
  {
    version: 6,
    description: "when the client running a session or per-job application's main() last sent a heartbeat",
    sql: `
      -- Written by whichever replica received the heartbeat (the database's clock), read by the
      -- replica that watches the application's client; NULL until the first heartbeat.
      ALTER TABLE applications ADD COLUMN client_heartbeat_at timestamptz;
    `,
  },
];
