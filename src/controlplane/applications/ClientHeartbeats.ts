/**
 * Heartbeats of the clients that run session and per-job applications' main() (Flink's client
 * heartbeat). Such a main() lives in the client's process, so a client that dies (closed laptop,
 * killed CLI) would leave its application RUNNING for ever; one that sends no heartbeat for the
 * timeout is taken as lost, as if its main() had failed, so its jobs are cancelled and the
 * application ends FAILED with ClientLostError (published as `clientLost`).
 *
 * A heartbeat is recorded in the store by whichever process received it (any replica answers any
 * call), by the store's clock; the process that watches the application (holds its lease: the one
 * that accepted it, or took it over) reads how long its client has been silent and decides alone.
 * After a control-plane restart, or a takeover, every client gets a whole timeout from the moment
 * this process began watching it, however long ago its last heartbeat was recorded.
 */
import type { Logger } from '../../common/logger.js';
import type { ControlPlaneEventPublisher } from '../events/ControlPlaneEvents.js';
import type { ApplicationStore } from '../store/ApplicationStore.js';

/** How long a client may stay silent unless configured otherwise (a minute). */
export const DEFAULT_CLIENT_HEARTBEAT_TIMEOUT_MS = 60_000;

/** What the heartbeats need. */
export interface ClientHeartbeatsOptions {
  applications: ApplicationStore;
  /** How long a client may stay silent, in milliseconds. */
  timeoutMs: number;
  /** Where a lost client is published, so that its application ends (as CompleteClientMain with the failure). */
  publisher: ControlPlaneEventPublisher;
  /** Whether this process watches the application's client (holds its lease); every one, when not given. */
  watches?: (applicationId: string) => boolean;
  logger: Logger;
}

/** The heartbeats of client-side main()s, and what happens without one. */
export class ClientHeartbeats {
  /** When this process began watching each client (`performance.now()`). */
  private readonly watchedSince = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ClientHeartbeatsOptions) {}

  /** The timeout clients are told. */
  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /** Starts checking (a few times per timeout). */
  start(): void {
    this.timer ??= setInterval(
      () =>
        void this.sweep().catch((error: unknown) =>
          this.options.logger.error({ err: error }, 'checking the clients of applications failed'),
        ),
      Math.max(100, Math.min(1000, this.options.timeoutMs / 4)),
    );
    this.timer.unref();
  }

  /** An application whose main() runs in its client was accepted here: the client gets a whole timeout from now. */
  watch(applicationId: string, now = performance.now()): void {
    this.watchedSince.set(applicationId, now);
  }

  /** The client of the application was heard from now: recorded in the store, for whichever process watches it. */
  seen(applicationId: string): Promise<void> {
    return this.options.applications.recordClientHeartbeat(applicationId);
  }

  /** Ends the applications this process watches whose client has been silent for longer than the timeout. */
  async sweep(now = performance.now()): Promise<void> {
    const { timeoutMs, watches = () => true } = this.options;
    const awaiting = (await this.options.applications.awaitingClientMain()).filter((client) =>
      watches(client.applicationId),
    );
    const waiting = new Set(awaiting.map((client) => client.applicationId));
    for (const id of this.watchedSince.keys()) if (!waiting.has(id)) this.watchedSince.delete(id);
    for (const { applicationId, silentMs: recorded } of awaiting) {
      const since = this.watchedSince.get(applicationId);
      // First seen by this process (a restart, a takeover): the client gets a whole timeout from now.
      if (since === undefined) {
        this.watchedSince.set(applicationId, now);
        continue;
      }
      const silentMs = Math.min(recorded ?? Infinity, now - since);
      if (silentMs <= timeoutMs) continue;
      this.watchedSince.delete(applicationId);
      const message = `the client running main() of application ${applicationId} sent no heartbeat for ${Math.round(silentMs / 1000)} s (--client-heartbeat-timeout ${Math.round(timeoutMs / 1000)} s); it is taken as lost`;
      this.options.logger.warn({ applicationId, silentMs }, 'client lost');
      try {
        await this.options.publisher.publish({
          type: 'clientLost',
          applicationId,
          failure: { name: 'ClientLostError', message, stack: '' },
        });
      } catch (error) {
        this.options.logger.error({ err: error, applicationId }, 'could not end the application of a lost client');
      }
    }
  }

  /** Stops checking. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
