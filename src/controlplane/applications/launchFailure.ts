/**
 * What an application's FAILED event says of a launch that failed: the error's message, except
 * for an abort, whose message ("This operation was aborted") says nothing of why. A launch is
 * aborted by a cancellation, a shutdown or a takeover, which the launcher handles without failing
 * the application; an abort that still reaches this is named as the launch stopped on this replica.
 */

/** The cause of a launch's failure, in words a person can act on. */
export function launchFailure(error: unknown, replica: string | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof Error) || error.name !== 'AbortError') return message;
  const where = replica ? ` on control-plane replica ${replica}` : '';
  return `the launch${where} was stopped before the driver started (${message}); submit the application again`;
}
