/**
 * An {@link ApplicationMainHost} for Dispatcher tests: each `main()` it is asked to run reports
 * INITIALIZING and RUNNING on later turns of the event loop, then does what the test tells it
 * (write output, return, throw), and confirms a cancellation a turn after it was asked, as the
 * real host's worker does.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ExecutionState, SerializedError } from '../../common/status.js';
import type { TaskDeploymentDescriptor } from '../../runtime/TaskDeploymentDescriptor.js';
import type { ApplicationMainExecution, ApplicationMainHost, ApplicationMainReports } from '../ApplicationMainHost.js';

/** The artifact id of the one bundle the fake blob server holds. */
export const FAKE_MAIN_BUNDLE = 'a'.repeat(64);

/** One `main()` of the fake host, driven by the test. */
export class FakeMain implements ApplicationMainExecution {
  /** The states it reported, in order. */
  readonly states: ExecutionState[] = [];
  private ended = false;

  constructor(
    readonly deployment: TaskDeploymentDescriptor,
    private readonly reports: ApplicationMainReports,
  ) {}

  /** Whether it reported RUNNING and has not ended. */
  get running(): boolean {
    return this.states.at(-1) === 'RUNNING';
  }

  async begin(): Promise<void> {
    await nextTurn();
    this.report('INITIALIZING');
    await nextTurn();
    this.report('RUNNING');
  }

  /** Writes to stdout or stderr. */
  write(stream: 'stdout' | 'stderr', text: string): void {
    this.reports.output(stream, Buffer.from(text));
  }

  /** `main()` returned. */
  finish(): void {
    this.report('FINISHED');
  }

  /** `main()` threw `failure`. */
  fail(failure: SerializedError): void {
    this.report('FAILED', failure);
  }

  async cancel(): Promise<void> {
    await nextTurn();
    this.report('CANCELED');
  }

  private report(state: ExecutionState, failure?: SerializedError): void {
    if (this.ended) return;
    this.ended = state === 'FINISHED' || state === 'FAILED' || state === 'CANCELED';
    this.states.push(state);
    this.reports.state(state, failure);
  }
}

/** Runs fake mains and remembers them. */
export class FakeMainHost implements ApplicationMainHost {
  readonly location = 'the fake job manager';
  /** Every main() started, in order. */
  readonly mains: FakeMain[] = [];

  hasBundle(artifactId: string): boolean {
    return artifactId === FAKE_MAIN_BUNDLE;
  }

  run(deployment: TaskDeploymentDescriptor, reports: ApplicationMainReports): FakeMain {
    const main = new FakeMain(deployment, reports);
    this.mains.push(main);
    void main.begin();
    return main;
  }

  async close(): Promise<void> {
    await Promise.all(this.mains.map((main) => main.cancel()));
  }
}
