/**
 * Waits until what a worker thread wrote to its stdout and stderr has reached the main thread. A
 * worker's stdio is a stream of messages on a port of its own, apart from the task's messages, and
 * the worker is terminated soon after it reports its end: a task whose output matters (a driver's
 * console) flushes first, so that its last lines are not lost with the worker.
 */

/** Resolves once the main thread took every chunk written to this worker's stdout and stderr so far. */
export async function flushWorkerStdio(): Promise<void> {
  await Promise.all(
    [process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))),
  );
}
