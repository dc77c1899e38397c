/**
 * The worker's end of its conversation with the main thread: posts requests that the main thread
 * acknowledges (a batch taken by a partition, records taken by the job manager) and routes the
 * acknowledgements back to the promises waiting for them.
 */
import type { MessagePort } from 'node:worker_threads';
import { deserializeError } from '../../common/status.js';
import type { FromWorker, ToWorker } from './workerProtocol.js';

/** `T` without its `id`, member by member of a union. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Requests that the main thread acknowledges, without their id. */
type AcknowledgedRequest = WithoutId<Extract<FromWorker, { id: number }>>;

/** Sends requests to the main thread and waits for their acknowledgements. */
export class WorkerChannel {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private closed = false;

  constructor(private readonly port: MessagePort) {}

  /** Posts a message that needs no answer, transferring `transfer`. */
  post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
    if (!this.closed) this.port.postMessage(message, transfer);
  }

  /** Posts a request and resolves when the main thread acknowledges it (rejects with its error). */
  request(message: AcknowledgedRequest, transfer: ArrayBuffer[] = []): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the task has ended'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.port.postMessage({ ...message, id } as FromWorker, transfer);
    });
  }

  /** Settles the request an `ack` answers. */
  acknowledge(message: Extract<ToWorker, { type: 'ack' }>): void {
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.error) waiter.reject(deserializeError(message.error));
    else waiter.resolve();
  }

  /**
   * Posts the run's last message and nothing after it: a worker kept for another task never sends
   * that task anything left over from this one (a late print or request of the user's code).
   */
  close(last: FromWorker): void {
    this.post(last);
    this.closed = true;
    this.rejectAll(new Error('the task has ended'));
  }

  /** Rejects every request still waiting (the task is being cancelled). */
  rejectAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
