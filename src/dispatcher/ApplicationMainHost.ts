/**
 * Where the job manager runs an application's `main()` in application mode: in its own process,
 * in a worker thread, outside any slot. The Dispatcher's domain sees only this interface; the job
 * manager process provides the implementation ({@link taskWorkerMainHost}), which runs the
 * bundle's `main()` exactly as a driver task does on a task executor.
 */
import type { ExecutionState, SerializedError } from '../common/status.js';
import type { TaskDeploymentDescriptor } from '../runtime/TaskDeploymentDescriptor.js';
import type { OutputStream } from '../common/JobOutputLog.js';

/** What a running `main()` reports, in order. */
export interface ApplicationMainReports {
  /** Its execution state: INITIALIZING, RUNNING once `main()` is called, then FINISHED, FAILED or CANCELED. */
  state(state: ExecutionState, failure?: SerializedError): void;
  /** What it wrote to stdout or stderr; every piece arrives before the terminal state. */
  output(stream: OutputStream, data: Uint8Array): void;
}

/** One `main()` under way. */
export interface ApplicationMainExecution {
  /** Stops `main()` (terminating its worker when it does not stop in time); resolves once it ended. */
  cancel(): Promise<unknown>;
}

/** Runs applications' `main()` in the job manager process. */
export interface ApplicationMainHost {
  /** Where `main()` runs, for messages: "the job manager (pid 1234)". */
  readonly location: string;
  /** Whether the job manager's blob server holds the bundle `artifactId`. */
  hasBundle(artifactId: string): boolean;
  /** Starts `main()` of the descriptor's driver operator; failures are reported as FAILED, never thrown. */
  run(descriptor: TaskDeploymentDescriptor, reports: ApplicationMainReports): ApplicationMainExecution;
  /** Stops every `main()` still running (the job manager shuts down); resolves once they ended. */
  close(): Promise<void>;
}
