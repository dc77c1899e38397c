/**
 * Follows the pods of one cluster with the watch API, never by polling: one list gives the pods and
 * a resourceVersion, a watch from there streams each change, a watch the server ends is resumed
 * from the last resourceVersion seen (bookmarks included), and a resourceVersion the server no
 * longer has (410 Gone) is answered by listing again. Every change hands the current pods, by name,
 * to the listener.
 */
import { Watch, type CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.js';

/** Told the cluster's pods, by name, after each change. */
export type PodListener = (pods: ReadonlyMap<string, V1Pod>) => void;

/** How long to wait before watching again after a watch failed. */
const RETRY_MS = 500;

/** The HTTP status of an error from the client, if it has one. */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

/** A watch of the pods that match a label selector in a namespace. */
export class PodWatch {
  private readonly pods = new Map<string, V1Pod>();
  private resourceVersion = '';
  private abort: AbortController | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: KubeConfig,
    private readonly core: CoreV1Api,
    private readonly namespace: string,
    private readonly labelSelector: string,
    private readonly listener: PodListener,
    private readonly logger: Logger,
  ) {}

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
    const list = await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: this.labelSelector });
    this.pods.clear();
    for (const pod of list.items) this.pods.set(pod.metadata!.name!, pod);
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    if (!this.stopped) this.listener(this.pods);
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    let gone = false;
    try {
      this.abort = await new Watch(this.config).watch(
        `/api/v1/namespaces/${this.namespace}/pods`,
        { labelSelector: this.labelSelector, resourceVersion: this.resourceVersion, allowWatchBookmarks: true },
        (type: string, object: V1Pod & { code?: number }) => {
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
          if (type === 'DELETED') this.pods.delete(name);
          else this.pods.set(name, object);
          this.listener(this.pods);
        },
        (error: unknown) => this.resume(gone || statusCodeOf(error) === 410, error),
      );
    } catch (error) {
      this.resume(statusCodeOf(error) === 410, error);
    }
  }

  private resume(relist: boolean, error: unknown): void {
    if (this.stopped) return;
    if (error && !relist) this.logger.debug({ err: error }, 'the pod watch ended; resuming it');
    this.retry = setTimeout(
      () => {
        const next = relist ? this.list().then(() => this.watch()) : this.watch();
        next.catch((failure: unknown) => this.resume(statusCodeOf(failure) === 410, failure));
      },
      error ? RETRY_MS : 0,
    );
  }
}
