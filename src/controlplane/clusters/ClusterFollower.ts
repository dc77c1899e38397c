/**
 * Consumes one cluster's job events (Dispatcher WatchJobEvents) from the last sequence the control
 * plane consumed, hands each to a handler that records it (together with the new cursor, in one
 * transaction) and moves on once it is recorded, and reconnects where it left off when the stream
 * breaks or the handler fails. When the
 * job manager is gone for good (the deployment target saw it exit, or it stayed unreachable for the loss timeout)
 * it reports the cluster gone, once, and stops.
 */
import { delay, isAbortError } from 'abort-controller-x';
import { OutOfRangeError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { ClusterJobEvent } from '../model/ClusterJobEvent.js';
import type { DispatcherGateway } from './DispatcherGateway.js';

/** What a follower needs. */
export interface ClusterFollowerOptions {
  clusterId: string;
  gateway: DispatcherGateway;
  /** The cluster-wide sequence of the last event already consumed. */
  afterSequence: number;
  /**
   * Records one event and its sequence as consumed, in one transaction, so an event is never half
   * handled; the follower takes the next event once the returned promise (if any) has resolved.
   */
  handle(event: ClusterJobEvent): void | Promise<void>;
  /** How the job manager ended, as the deployment target sees it, or undefined while it runs (or when that cannot be known). */
  jobManagerExit(): string | undefined | Promise<string | undefined>;
  /** Called once when the job manager is gone for good; the follower stops. */
  onGone(reason: string): void;
  logger: Logger;
  /** How long the job manager may stay unreachable before the cluster counts as lost (default 10 s). */
  lossTimeoutMs?: number;
  /** The pause between reconnection attempts (default 500 ms). */
  retryDelayMs?: number;
}

/** Follows one cluster's job events until stopped or until the cluster is gone. */
export class ClusterFollower {
  private readonly controller = new AbortController();
  private cursor: number;
  private running: Promise<void> | undefined;

  constructor(private readonly options: ClusterFollowerOptions) {
    this.cursor = options.afterSequence;
  }

  /** The sequence of the last event consumed. */
  get lastSequence(): number {
    return this.cursor;
  }

  /** Starts following (once). */
  start(): void {
    this.running ??= this.follow().catch((error: unknown) => {
      if (!this.controller.signal.aborted)
        this.options.logger.error({ err: error, clusterId: this.options.clusterId }, 'following the cluster failed');
    });
  }

  /** Stops following and resolves once the stream is closed; the cursor recorded so far stays. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private async follow(): Promise<void> {
    const { gateway, logger, clusterId } = this.options;
    const signal = this.controller.signal;
    const lossTimeoutMs = this.options.lossTimeoutMs ?? 10_000;
    let unreachableSince: number | undefined;
    let lastProblem = '';
    while (!signal.aborted) {
      try {
        for await (const event of gateway.watchJobEvents(this.cursor, signal)) {
          if (event.sequence <= this.cursor) continue;
          await this.options.handle(event);
          this.cursor = event.sequence;
          unreachableSince = undefined;
        }
        lastProblem = 'the job manager ended the event stream';
      } catch (error) {
        if (signal.aborted || isAbortError(error)) return;
        if (error instanceof OutOfRangeError && this.skipLostEvents(error)) continue;
        lastProblem = (error as Error).message;
      }
      const exit = await this.options.jobManagerExit();
      if (signal.aborted) return;
      if (exit !== undefined) {
        this.gone(`its job manager at ${gateway.address} ${exit}`);
        return;
      }
      unreachableSince ??= Date.now();
      try {
        await gateway.overview({ timeoutMs: 2000, signal });
        unreachableSince = undefined;
        logger.warn({ clusterId, problem: lastProblem }, 'the job event stream broke; resuming');
      } catch (error) {
        if (signal.aborted) return;
        lastProblem = (error as Error).message;
      }
      if (unreachableSince !== undefined && Date.now() - unreachableSince >= lossTimeoutMs) {
        this.gone(
          `its job manager at ${gateway.address} has been unreachable for ${Math.round((Date.now() - unreachableSince) / 1000)} s (${lastProblem})`,
        );
        return;
      }
      try {
        await delay(signal, this.options.retryDelayMs ?? 500);
      } catch {
        return;
      }
    }
  }

  /**
   * A cursor the Dispatcher no longer serves: older than what it keeps (the events in between are
   * lost; the control plane goes on from the oldest kept one) or past its newest (a new job
   * manager at the same address; it starts again from its first event). False when the message
   * does not say where to go on from.
   */
  private skipLostEvents(error: OutOfRangeError): boolean {
    const older = /after_sequence (\d+) or later/.exec(error.message);
    const past = /past the newest event of this cluster \((\d+)\)/.exec(error.message);
    const resume = older ? Number(older[1]) : past ? 0 : undefined;
    if (resume === undefined) return false;
    this.options.logger.warn(
      { clusterId: this.options.clusterId, from: this.cursor, to: resume, problem: error.message },
      'job events skipped',
    );
    this.cursor = resume;
    return true;
  }

  private gone(reason: string): void {
    this.controller.abort();
    this.options.onGone(reason);
  }
}
