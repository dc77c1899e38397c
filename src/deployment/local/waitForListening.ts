/**
 * Reads the address a freshly started server prints as its first stdout line (`listening on
 * HOST:PORT`) from the file its stdout goes to, failing early, with the end of its log, when the
 * process exits first.
 */
import { readFileSync } from 'node:fs';
import { delay } from 'abort-controller-x';
import { DeploymentError } from '../DeploymentError.js';
import type { LocalProcess } from './LocalProcess.js';

// Reading the small stdout file of a starting process costs little; the address is on the critical path of a deployment.
const POLL_MS = 20;
const LISTENING = /^listening on (\S+)\n/;

/** Resolves with HOST:PORT once `process` has printed its `listening on` line. */
export async function waitForListening(process: LocalProcess, timeoutMs: number, signal: AbortSignal): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = LISTENING.exec(readOrEmpty(process.stdoutPath));
    if (match) return match[1];
    const exit = process.exitDescription();
    if (exit !== undefined) {
      throw new DeploymentError(
        `${process.label} ${exit} before it listened; the end of its log (${process.logPath}):\n${process.logTail()}`,
      );
    }
    if (Date.now() >= deadline) {
      throw new DeploymentError(
        `${process.label} did not print its "listening on" line within ${timeoutMs} ms; the end of its log (${process.logPath}):\n${process.logTail()}`,
      );
    }
    await delay(signal, POLL_MS);
  }
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
