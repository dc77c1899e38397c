/**
 * What the fuzz suite checks on a server after the fuzzing: the process is still running and
 * answers grpc.health.v1 for its service, and its log (pino JSON on stderr) shows no crash: no
 * entry at level error or fatal (the error middleware logs every unexpected exception of a request
 * handler at level error), nothing about an uncaught exception or unhandled rejection, and no line
 * that is not JSON (Node prints a crash's stack as plain text).
 */
import { createChannel, createClient } from 'nice-grpc';
import {
  HealthCheckResponse_ServingStatus,
  HealthDefinition,
} from 'nice-grpc-server-health/lib/proto/grpc/health/v1/health.js';
import type { ServerProcess } from '../support/processes.js';
import { PATIENT_DEADLINE_MS } from './fuzzSettings.js';

/** pino's level of `error`; `fatal` is 60. Flotilla's logs write the level's name. */
const ERROR_LEVEL = 50;
const ERROR_LABELS = new Set(['error', 'fatal']);

/** The health status `server` reports for `service` ("SERVING" when all is well); it must still be running. */
export async function healthOf(server: ServerProcess, service: string): Promise<string> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    return `exited (code ${server.child.exitCode}, signal ${server.child.signalCode}); its log ends:\n${server.stderr().slice(-4000)}`;
  }
  const channel = createChannel(server.address);
  try {
    const health = createClient(HealthDefinition, channel);
    const { status } = await health.check({ service }, { signal: AbortSignal.timeout(PATIENT_DEADLINE_MS) });
    return HealthCheckResponse_ServingStatus[status];
  } finally {
    channel.close();
  }
}

/** The lines of a server's stderr that show a crash or an unexpected error (cut to 2000 characters each). */
export function crashSigns(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && isCrashSign(line))
    .map((line) => line.slice(0, 2000));
}

function isCrashSign(line: string): boolean {
  let entry: { level?: unknown; msg?: unknown };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return true;
  }
  if (typeof entry.level === 'number' ? entry.level >= ERROR_LEVEL : ERROR_LABELS.has(String(entry.level))) return true;
  return /uncaught|unhandled/i.test(line);
}
