/**
 * Ends open calls when the server shuts down. Every call gets a signal that aborts either when its
 * client goes away or when {@link Terminator.terminate} is called; handlers that wait (streams,
 * long polls) watch that signal, and a call ended this way answers UNAVAILABLE instead of hanging.
 */
import { isAbortError } from 'abort-controller-x';
import { ServerError, Status, type CallContext, type ServerMiddleware } from 'nice-grpc';

/** Tracks open calls so that shutdown can end them. */
export class Terminator {
  private readonly open = new Set<AbortController>();
  private terminated = false;

  /** The middleware to install on the server. */
  readonly middleware: ServerMiddleware = this.createMiddleware();

  /** The number of calls in progress. */
  get openCalls(): number {
    return this.open.size;
  }

  /** Aborts every open call; later calls are refused with UNAVAILABLE. */
  terminate(): void {
    this.terminated = true;
    for (const controller of this.open) controller.abort();
  }

  private createMiddleware(): ServerMiddleware {
    const self = this;
    return async function* terminate(call, context: CallContext) {
      if (self.terminated) throw new ServerError(Status.UNAVAILABLE, 'the server is shutting down');
      const controller = new AbortController();
      const onAbort = () => controller.abort();
      context.signal.addEventListener('abort', onAbort);
      self.open.add(controller);
      try {
        return yield* call.next(call.request, { ...context, signal: controller.signal });
      } catch (error) {
        if (self.terminated && (isAbortError(error) || controller.signal.aborted)) {
          throw new ServerError(Status.UNAVAILABLE, 'the server is shutting down; retry against its replacement');
        }
        throw error;
      } finally {
        self.open.delete(controller);
        context.signal.removeEventListener('abort', onAbort);
      }
    };
  }
}
