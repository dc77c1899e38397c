/** What `flotilla run` sends the control plane, from its command line: the same fields in every mode. */
import type { SubmissionMode } from '../../../generated/flotilla/v1/status.js';
import type { ClusterChoice, DriverApplicationRequest, RunOptions } from '../../client/runApplication.js';
import type { ParsedCommandLine } from './args.js';
import { progressReporter } from '../output/progress.js';
import { kubernetesPropertiesOf, refuseKubernetesPropertiesFor } from './kubernetesClusterOptions.js';

/** The RunApplication request of `run`'s options and positionals (BUNDLE, then main()'s arguments). */
export function applicationRequestOf(
  args: ParsedCommandLine,
  cluster: ClusterChoice,
  mode: SubmissionMode,
  detached = false,
): DriverApplicationRequest {
  const options = args.options;
  const [bundlePath, ...programArgs] = args.positionals;
  return {
    bundlePath,
    name: options.name as string | undefined,
    entry: options.class as string,
    args: programArgs,
    cluster,
    driver: {
      heapMemoryMb: options['driver-heap-memory'] as number,
      directMemoryMb: options['driver-direct-memory'] as number,
      nativeMemoryMb: options['driver-native-memory'] as number,
      cpus: options['driver-cpus'] as number,
    },
    parallelism: options.parallelism as number,
    driverAttempts: options['driver-attempts'] as number | undefined,
    driverRetryOwnFailures: options['driver-retry-own-failures'] === true,
    properties: (options.property as Record<string, string> | undefined) ?? {},
    requestId: options['request-id'] as string | undefined,
    mode,
    detached,
    savepoint:
      options.fromSavepoint === undefined
        ? options.resume === true && options.allowNonRestoredState === true
          ? { path: '', allowNonRestoredState: true }
          : undefined
        : { path: options.fromSavepoint as string, allowNonRestoredState: options.allowNonRestoredState === true },
    resume: options.resume === true,
  };
}

/**
 * Upload progress on stderr (bytes sent out of the total; none with --quiet), then a line saying
 * whether the bundle had to be sent and its size; `onStored` gets its artifact id.
 */
export function uploadProgress(
  options: ParsedCommandLine['options'],
  onStored: (artifactId: string) => void = () => undefined,
): RunOptions {
  const progress = progressReporter('uploading bundle', { quiet: options.quiet === true });
  return {
    onUploadProgress: progress.update,
    onUploaded: (artifactId, alreadyStored, sizeBytes) => {
      onStored(artifactId);
      progress.done();
      process.stderr.write(
        `bundle ${artifactId.slice(0, 12)} ${alreadyStored ? 'already stored' : 'uploaded'} (${sizeBytes} bytes)\n`,
      );
    },
  };
}

/** The cluster named with -m or --cluster, if one is (the --kubernetes-* options are refused with it). */
export function namedCluster(options: ParsedCommandLine['options']): ClusterChoice | undefined {
  if (options.jobmanager !== undefined) {
    refuseKubernetesPropertiesFor(options, '-m');
    return { kind: 'jobmanager', address: options.jobmanager as string };
  }
  if (options.cluster !== undefined) {
    refuseKubernetesPropertiesFor(options, '--cluster');
    return { kind: 'cluster', clusterId: options.cluster as string };
  }
  return undefined;
}

/**
 * A cluster deployed for the application (per job in per-job mode), sized by --task-executors and
 * --slots, with the Kubernetes settings of the --kubernetes-* (-k…) options as its properties.
 */
export function deployedCluster(options: ParsedCommandLine['options']): ClusterChoice {
  return {
    kind: 'deploy',
    taskExecutors: options['task-executors'] as number,
    slotsPerTaskExecutor: options.slots as number,
    properties: kubernetesPropertiesOf(options),
  };
}
