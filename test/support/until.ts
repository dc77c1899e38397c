/** Waiting for a condition in tests, where `expect.poll` cannot run (in `beforeAll`) or a plain error reads better. */

/** Resolves once `condition` holds, polling every 50 ms; rejects naming `what` after `timeoutMs`. */
export async function until(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
