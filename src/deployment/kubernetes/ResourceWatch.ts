/**
 * Follows one collection of a namespace (pods, Events) with the watch API, never by polling, as
 * client-go's reflector does: one list gives the objects and a resourceVersion, a watch from there
 * streams each change, a watch the server ends (its own timeout, `timeoutSeconds`, a broken
 * connection) is resumed from the last resourceVersion seen (bookmarks included), and a
 * resourceVersion the server no longer has (410 Gone) is answered by listing again. Every change
 * hands the current objects, by name, and the ones that changed to the listener.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';

/** An object of a watched collection: only its name and resourceVersion matter here. */
export interface WatchedObject {
  metadata?: { name?: string; resourceVersion?: string };
}

/** A list answer of the API server. */
export interface WatchedList<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

/**
 * Told the current objects by name after each change, and what changed: the object added or
 * modified, or every object of a list (`listed` true; the first list and each one after a 410).
 */
export type WatchListener<T> = (objects: ReadonlyMap<string, T>, changed: readonly T[], listed: boolean) => void;

/** What to watch and whom to tell. */
export interface ResourceWatchOptions<T> {
  config: KubeConfig;
  /** The collection's path, such as `/api/v1/namespaces/NS/pods`. */
  path: string;
  /** Label and field selectors, the same for the list and the watch. */
  selectors: { labelSelector?: string; fieldSelector?: string };
  /** Lists the collection with the same selectors. */
  list: () => Promise<WatchedList<T>>;
  listener: WatchListener<T>;
  logger: Logger;
  /**
   * How long the server keeps one watch open before ending it (`timeoutSeconds`), after which it is
   * resumed; default a random 5–10 minutes, as client-go's reflector does.
   */
  watchTimeoutSeconds?: number;
}

/** How long to wait before watching again after a watch failed. */
const RETRY_MS = 500;

/** The HTTP status of an error from the client, if it has one. */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

/** A list-then-watch of one collection. */
export class ResourceWatch<T extends WatchedObject> {
  private readonly objects = new Map<string, T>();
  private resourceVersion = '';
  private abort: AbortController | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly options: ResourceWatchOptions<T>) {}

  /** Lists, then watches; resolves once the first list is in. */
  async start(): Promise<void> {
    await this.list();
    void this.watch();
  }

  /** Stops watching; no listener call follows. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.abort?.abort();
  }

  private async list(): Promise<void> {
    const list = await this.options.list();
    this.objects.clear();
    for (const object of list.items) this.objects.set(object.metadata!.name!, object);
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.options.logger.debug(
      { path: this.options.path, resourceVersion: this.resourceVersion, objects: list.items.length },
      'listed the watched collection',
    );
    if (!this.stopped) this.options.listener(this.objects, list.items, true);
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    let gone = false;
    const { config, path, selectors, logger } = this.options;
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? Math.round(300 * (1 + Math.random()));
    logger.debug({ path, resourceVersion: this.resourceVersion }, 'watching from resourceVersion');
    try {
      this.abort = await new Watch(config).watch(
        path,
        { ...selectors, resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
        (type: string, object: T & { code?: number }) => {
          if (this.stopped) return;
          if (type === 'ERROR') {
            // A resourceVersion compacted away: only a new list says where things are.
            gone = object.code === 410;
            this.abort?.abort();
            return;
          }
          const version = object.metadata?.resourceVersion;
          if (version) this.resourceVersion = version;
          if (type === 'BOOKMARK') return;
          const name = object.metadata!.name!;
          if (type === 'DELETED') this.objects.delete(name);
          else this.objects.set(name, object);
          this.options.listener(this.objects, type === 'DELETED' ? [] : [object], false);
        },
        (error: unknown) => this.resume(gone || statusCodeOf(error) === 410, error),
      );
    } catch (error) {
      this.resume(statusCodeOf(error) === 410, error);
    }
  }

  private resume(relist: boolean, error: unknown): void {
    if (this.stopped) return;
    const { path, logger } = this.options;
    if (relist)
      logger.debug({ path, resourceVersion: this.resourceVersion }, 'the resourceVersion is gone (410); listing again');
    else if (error) logger.debug({ err: error, path }, 'the watch failed; resuming it');
    else logger.debug({ path, resourceVersion: this.resourceVersion }, 'the server ended the watch; resuming it');
    this.retry = setTimeout(
      () => {
        const next = relist ? this.list().then(() => this.watch()) : this.watch();
        next.catch((failure: unknown) => this.resume(statusCodeOf(failure) === 410, failure));
      },
      error && !relist ? RETRY_MS : 0,
    );
  }
}
