/**
 * A RunApplication request as the domain receives it from the gRPC adapter: enums and oneofs
 * already mapped, nothing validated yet (see {@link compileSubmission}).
 */
import type { ApplicationBundle, DriverResources, SavepointSettings, SubmissionMode } from '../model/Application.js';
import type { ClusterSpecInput } from '../clusters/compileClusterSpec.js';

/** Which cluster the client asked for; undefined when it named none. */
export type ClusterTargetInput =
  | { kind: 'deploy'; spec: ClusterSpecInput }
  | { kind: 'cluster'; clusterId: string }
  | { kind: 'jobmanager'; address: string };

/** What a client asked to run. */
export interface RunApplicationInput {
  /** Empty when the client gave none. */
  requestId: string;
  name: string;
  bundle?: ApplicationBundle;
  entry: string;
  args: string[];
  /** Undefined when the client did not set one. */
  mode?: SubmissionMode;
  detached: boolean;
  target?: ClusterTargetInput;
  driverResources: DriverResources;
  /** 0 means the default (1). */
  parallelism: number;
  /** `path` and `allowNonRestoredState` only: the rest is resolved by the control plane. */
  savepoint?: Pick<SavepointSettings, 'path' | 'allowNonRestoredState'>;
  /** Resume from the previous run's latest retained checkpoints (`-r`). */
  resume?: boolean;
  properties: Record<string, string>;
  /** 0 means the default (1). */
  driverAttempts: number;
  /** Whether a driver that failed by its own doing is started again too while attempts remain (driver mode). */
  driverRetryOwnFailures: boolean;
}
