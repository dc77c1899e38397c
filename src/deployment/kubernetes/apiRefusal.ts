/**
 * What the API server said when it refused a request: the `Status` in the body of the client's
 * error, as Kubernetes' reason and message ("Forbidden: pods "p" is forbidden: exceeded quota:
 * …"), for a message that names the refused object and why.
 */

interface Status {
  kind?: string;
  reason?: string;
  message?: string;
}

/** The Status in a client error's body, if it carries one. */
function statusOf(error: unknown): Status | undefined {
  const body = (error as { body?: unknown } | null)?.body;
  if (typeof body === 'object' && body !== null) return body as Status;
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body) as Status;
  } catch {
    return undefined;
  }
}

/** "REASON: MESSAGE" of the API server's refusal in `error`; undefined when it is not one. */
export function refusalOf(error: unknown): string | undefined {
  const status = statusOf(error);
  if (status?.kind !== 'Status' || !status.message) return undefined;
  return status.reason ? `${status.reason}: ${status.message}` : status.message;
}
