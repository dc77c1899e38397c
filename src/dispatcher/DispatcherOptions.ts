/**
 * Settings of a {@link Dispatcher} and the defaults that bound its memory. Everything the
 * Dispatcher keeps lives in the job manager's memory, so every kind of kept data has a limit.
 */
import type { JobManagerMetrics } from './JobManagerMetrics.js';
import type { BundleUriRoots } from '../bundle/BundleUriRoots.js';
import type { Logger } from '../common/logger.js';
import type { ApplicationMainHost } from './ApplicationMainHost.js';
import type { ClusterResources } from './ClusterResources.js';

/** Options of a Dispatcher; the limits are optional and default to {@link DISPATCHER_DEFAULTS}. */
export interface DispatcherOptions {
  /** The cluster's id, shown in job summaries. */
  clusterId: string;
  /** Told when jobs restart and end; nobody when not given. */
  metrics?: JobManagerMetrics;
  /** The address task executors report to; known once the server listens, hence a function. */
  jobmanagerAddress: () => string;
  /** Slots, task executor gateways and task executor loss: the resource manager. */
  resources: ClusterResources;
  /** Called once ShutDownCluster has cancelled the jobs and stopped the task executors; the process exits. */
  onShutDown: (reason: string) => void;
  logger: Logger;
  /** The encoded size of collect() records kept per job before the job fails. */
  maxCollectedBytesPerJob?: number;
  /** How many job events the cluster keeps for WatchJobEvents replays. */
  maxRetainedEvents?: number;
  /** How many bytes of task output are kept per job. */
  maxOutputBytesPerJob?: number;
  /** How many ended jobs are kept (with their results and output) before the oldest are forgotten. */
  maxRetainedEndedJobs?: number;
  /** How long a job master waits for cancelled tasks to confirm, in milliseconds. */
  cancellationTimeoutMs?: number;
  /** Where applications' `main()` runs in this process (application mode); without it RunApplicationMain is refused. */
  mainHost?: ApplicationMainHost;
  /** Where bundles named by a uri may be; none when not given (SubmitJob and RunApplicationMain refuse such bundles). */
  bundleUriRoots?: BundleUriRoots;
}

/** The default limits. */
export const DISPATCHER_DEFAULTS = {
  /** 256 MiB: the records of a job's collect() sinks, counted as their encoded (wire) size. */
  maxCollectedBytesPerJob: 256 * 1024 * 1024,
  /** 100,000 events per cluster (a few hundred bytes each). */
  maxRetainedEvents: 100_000,
  /** 8 MiB of stdout/stderr per job. */
  maxOutputBytesPerJob: 8 * 1024 * 1024,
  /** 100 ended jobs; running jobs are always kept. */
  maxRetainedEndedJobs: 100,
  /** 10 s, as the job master's own default. */
  cancellationTimeoutMs: 10_000,
} as const;

/** Options with every default filled in (the main host and the bundle uri roots stay optional). */
export type CompiledDispatcherOptions = Required<Omit<DispatcherOptions, 'mainHost' | 'bundleUriRoots'>> &
  Pick<DispatcherOptions, 'mainHost' | 'bundleUriRoots'>;

/** Fills in the defaults and checks the limits. */
export function compileDispatcherOptions(options: DispatcherOptions): CompiledDispatcherOptions {
  const compiled = { ...DISPATCHER_DEFAULTS, ...withoutUndefined(options) } as CompiledDispatcherOptions;
  for (const key of Object.keys(DISPATCHER_DEFAULTS) as (keyof typeof DISPATCHER_DEFAULTS)[]) {
    const value = compiled[key];
    if (!Number.isSafeInteger(value) || value < 1)
      throw new RangeError(`${key} must be a positive integer, got ${value}`);
  }
  return compiled;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
