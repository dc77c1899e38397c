/**
 * Heartbeats of the clients that run session and per-job applications' main() (Flink's client
 * heartbeat). Such a main() lives in the client's process, so a client that dies (closed laptop,
 * killed CLI) would leave its application RUNNING for ever; one that sends no heartbeat for the
 * timeout is taken as lost, as if its main() had failed, so its jobs are cancelled and the
 * application ends FAILED with ClientLostError (published as `clientLost`). After a control-plane restart every client gets a
 * whole timeout to be heard again.
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
  logger: Logger;
}

/** The last heartbeat of each client-side main(), and what happens without one. */
export class ClientHeartbeats {
  private readonly lastSeen = new Map<string, number>();
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

  /** The client of the application was heard from now. */
  seen(applicationId: string, now = Date.now()): void {
    this.lastSeen.set(applicationId, now);
  }

  /** Ends the applications whose client has been silent for longer than the timeout. */
  async sweep(now = Date.now()): Promise<void> {
    const awaiting = await this.options.applications.awaitingClientMain();
    const waiting = new Set(awaiting);
    for (const id of this.lastSeen.keys()) if (!waiting.has(id)) this.lastSeen.delete(id);
    for (const applicationId of awaiting) {
      const last = this.lastSeen.get(applicationId);
      // First seen by this process (a restart): the client gets a whole timeout from now.
      if (last === undefined) {
        this.lastSeen.set(applicationId, now);
        continue;
      }
      const silentMs = now - last;
      if (silentMs <= this.options.timeoutMs) continue;
      this.lastSeen.delete(applicationId);
      const message = `the client running main() of application ${applicationId} sent no heartbeat for ${Math.round(silentMs / 1000)} s (--client-heartbeat-timeout ${Math.round(this.options.timeoutMs / 1000)} s); it is taken as lost`;
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
