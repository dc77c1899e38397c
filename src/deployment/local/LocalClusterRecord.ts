/**
 * The local target's own record of a cluster, `cluster.json` in the cluster's folder: which
 * members it started, with the pid and start time of each (so that a recycled pid is not taken
 * for a member), where their output goes, and the job manager's address once known. It is what the
 * local target attaches by after a control-plane restart, as the Kubernetes target will find its
 * pods by their labels: the control plane keeps only the folder, as an opaque reference. It is
 * written whole to a temporary file and renamed over the old one, right after each member starts
 * and before anything waits on one, so that a control plane killed at any moment leaves a record
 * naming every member it started (but one spawned in the instant before the write).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterMember } from '../DeploymentTarget.js';

/** The file name of the record in a cluster's folder. */
export const LOCAL_CLUSTER_RECORD_FILE = 'cluster.json';

/** One member of a local cluster as recorded. */
export interface LocalMemberRecord extends ClusterMember {
  /** Its name in the cluster, which also names its files: "jobmanager", "taskexecutor-0", … */
  name: string;
  pid: number;
  /** When the process started (clock ticks since boot, from /proc); absent where that cannot be read. */
  startTime?: string;
  /** Where its stdout goes (the job manager's `listening on` line; a task executor's print sinks, Flink's `.out`), relative to the cluster's folder. */
  stdoutFile: string;
  /** Where its stderr, its log, goes, relative to the cluster's folder. */
  logFile: string;
}

/** A local cluster as recorded in its folder. */
export interface LocalClusterRecord {
  clusterId: string;
  /** HOST:PORT once the job manager listens; empty before. */
  jobmanagerAddress: string;
  /** In the order they were started: the job manager first. */
  members: LocalMemberRecord[];
}

/**
 * Writes the record (0600) into `folder`, replacing the old one in one step. The local target makes
 * the folder first (clusterFolder.ts, 0711); one still missing is made 0700 with its parents.
 */
export function writeLocalClusterRecord(folder: string, record: LocalClusterRecord): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const file = join(folder, LOCAL_CLUSTER_RECORD_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

/** The record in `folder`, or undefined when there is none (nothing was started there, or not by this target). */
export function readLocalClusterRecord(folder: string): LocalClusterRecord | undefined {
  let text: string;
  try {
    text = readFileSync(join(folder, LOCAL_CLUSTER_RECORD_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as LocalClusterRecord;
}
