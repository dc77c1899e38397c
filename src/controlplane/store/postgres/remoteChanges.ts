/**
 * Wake-ups between replicas: every write of an application's event log or driver log sends a
 * NOTIFY on {@link CHANGES_CHANNEL} in its own transaction (PostgreSQL delivers it at commit, and
 * never for a rolled-back one), and each store LISTENs on one dedicated connection of its own and
 * hands what others committed to its listeners. The payload names the kind, the sending store and
 * the application; a store ignores its own (its process woke its readers at commit already). The
 * table stays the truth: a reader woken reads from its cursor, so a lost or repeated notification
 * costs a read, never an event.
 */
import pg from 'pg';
import type { RemoteChange } from '../ControlPlaneStore.js';

/** The channel of the control plane's changes. */
export const CHANGES_CHANNEL = 'flotilla_changes';

/** The payload of a change: `<kind letter> <origin> <application id>`. */
export function changePayload(kind: RemoteChange['kind'], origin: string, applicationId: string): string {
  return `${kind === 'events' ? 'e' : 'l'} ${origin} ${applicationId}`;
}

/** The change a payload names, unless `origin` sent it (or it is not one). */
function changeOf(payload: string | undefined, origin: string): RemoteChange | undefined {
  const [letter, from, applicationId] = (payload ?? '').split(' ');
  if (from === origin || !applicationId || (letter !== 'e' && letter !== 'l')) return undefined;
  return { kind: letter === 'e' ? 'events' : 'driverLog', applicationId };
}

/** Listens on one connection of its own while anyone listens to it; reconnects when it is lost. */
export class RemoteChanges {
  private readonly listeners = new Set<(change: RemoteChange) => void>();
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    /** This store's name in payloads. */
    readonly origin: string,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Calls `listener` with each change another store committed; returns how to stop. */
  listen(listener: (change: RemoteChange) => void): () => void {
    this.listeners.add(listener);
    this.connecting ??= this.connect();
    return () => this.listeners.delete(listener);
  }

  /**
   * Ends the connection: first the connection itself, whose end also ends connect()'s wait for its
   * loss, then that loop. (Waiting for the loop first waited for ever: the loop waits for the
   * connection to end, and a replica shutting down with watchers did not exit.)
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
    await this.connecting?.catch(() => undefined);
  }

  private async connect(): Promise<void> {
    while (!this.closed) {
      const client = new pg.Client({ connectionString: this.url, application_name: 'flotilla-controlplane-listen' });
      // Known to close() from the start, and its end heard from the start, so that close() ends it at any step.
      this.client = client;
      const lost = new Promise<Error>((resolve) => {
        client.once('error', resolve);
        client.once('end', () => resolve(new Error('the listening connection ended')));
      });
      try {
        await client.connect();
        client.on('notification', (message) => {
          const change = changeOf(message.payload, this.origin);
          if (change) for (const listener of this.listeners) listener(change);
        });
        await client.query(`LISTEN ${CHANGES_CHANNEL}`);
        // What was committed while no connection listened is missed: every reader is woken once.
        if (!this.closed) {
          for (const listener of this.listeners) listener({ kind: 'events', applicationId: '*' });
          for (const listener of this.listeners) listener({ kind: 'driverLog', applicationId: '*' });
        }
        const error = await lost;
        if (!this.closed) this.onError(error);
      } catch (error) {
        if (!this.closed) this.onError(error as Error);
      }
      await client.end().catch(() => undefined);
      if (!this.closed) await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
