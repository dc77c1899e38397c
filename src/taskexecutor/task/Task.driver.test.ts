/**
 * A driver job's task on a task executor: `main(env, args)` of a real bundle in a real worker
 * thread (the compiled one in dist/, so `npm run build` first), its console forwarded, its failures
 * and memory limits reported as the task's failure.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../common/testing/tempDir.js';
import { createLogger } from '../../common/logger.js';
import type { ExecutionState, SerializedError } from '../../common/status.js';
import type { ResourceProfile } from '../../jobgraph/jobGraph.js';
import type { TaskDeploymentDescriptor } from '../../runtime/TaskDeploymentDescriptor.js';
import type { TaskOutputStream } from '../../runtime/JobManagerGateway.js';
import { Task, type TaskServices } from './Task.js';

const bundleRoot = tempDir();
writeFileSync(
  join(bundleRoot, 'package.json'),
  JSON.stringify({ name: 'driver-task-test', type: 'module', main: 'app.mjs' }),
);
writeFileSync(
  join(bundleRoot, 'app.mjs'),
  `// Drivers of the driver task tests.
export function main(env, args) {
  console.log('hello from main ' + JSON.stringify(args) + ' parallelism ' + env.getParallelism());
  process.stderr.write('a warning\\n');
  for (let line = 0; line < 500; line++) process.stdout.write('line ' + line + '\\n');
  console.log('bye');
}
export async function rejects() {
  await new Promise((resolve) => setTimeout(resolve, 10));
  throw new RangeError('no input for today');
}
export function hogsHeap() {
  console.log('allocating');
  const kept = [];
  for (;;) kept.push({ index: kept.length, text: 'x'.repeat(64) + kept.length });
}
export async function hogsDirect() {
  globalThis.kept = Array.from({ length: 8 }, () => Buffer.alloc(8 * 1024 * 1024, 1));
  await new Promise((resolve) => setTimeout(resolve, 30_000));
}
export async function hangs() {
  console.log('waiting');
  await new Promise(() => undefined);
}
export const notAFunction = 42;
`,
);
const logger = createLogger({ name: 'test', level: 'silent' });
const NO_LIMITS: ResourceProfile = { cpus: 1, heapMemoryMb: 0, directMemoryMb: 0, nativeMemoryMb: 0 };

function driverDescriptor(
  entry: string,
  resources: ResourceProfile = NO_LIMITS,
  args: string[] = [],
): TaskDeploymentDescriptor {
  return {
    jobId: 'job-driver',
    jobName: 'etl: driver',
    vertexId: 'driver',
    vertexName: 'Driver',
    subtaskIndex: 0,
    parallelism: 1,
    attemptNumber: 0,
    executionAttemptId: `attempt-${Math.random()}`,
    allocationId: 'alloc',
    operators: [
      {
        kind: 'driver',
        name: 'Driver',
        applicationId: 'app-1',
        applicationName: 'etl',
        entry,
        args,
        resources,
        defaultParallelism: 3,
        properties: {},
      },
    ],
    inputs: [],
    outputs: [],
    bundle: { artifactId: 'sha256:test' },
    resources,
    applicationId: 'app-1',
    // The environment's submitter connects lazily; these drivers submit nothing.
    jobmanagerAddress: '127.0.0.1:1',
  };
}

/** Runs a driver task with services and an output reporter that record, in one timeline, what happened. */
function runDriverTask(descriptor: TaskDeploymentDescriptor, cancellationGraceMs = 1000) {
  const timeline: string[] = [];
  const states: { state: ExecutionState; failure?: SerializedError }[] = [];
  const reported: { stream: TaskOutputStream; text: string }[] = [];
  const local: { stream: TaskOutputStream; text: string }[] = [];
  let reporterClosed = false;
  const services: TaskServices = {
    resolveBundle: async () => bundleRoot,
    createResultPartition: () => {
      throw new Error('a driver has no outputs');
    },
    openInputGate: () => {
      throw new Error('a driver has no inputs');
    },
    reportState: async (state, failure) => {
      timeline.push(`state ${state}`);
      states.push({ state, failure });
      return true;
    },
    collect: async () => true,
    print: () => undefined,
  };
  const task = new Task({
    descriptor,
    services,
    logger,
    cancellationGraceMs,
    connectOutputReporter: () => ({
      async reportTaskOutput(jobId, executionAttemptId, stream, data) {
        expect([jobId, executionAttemptId]).toEqual([descriptor.jobId, descriptor.executionAttemptId]);
        await new Promise((resolve) => setTimeout(resolve, 1));
        timeline.push(`output ${stream}`);
        reported.push({ stream, text: Buffer.from(data).toString() });
      },
      close: () => void (reporterClosed = true),
    }),
    writeLocalOutput: (stream, data) => void local.push({ stream, text: Buffer.from(data).toString() }),
  });
  started.push(task);
  task.start();
  const joined = (chunks: { stream: TaskOutputStream; text: string }[], stream: TaskOutputStream) =>
    chunks
      .filter((chunk) => chunk.stream === stream)
      .map((chunk) => chunk.text)
      .join('');
  return {
    task,
    timeline,
    states,
    failure: () => states.at(-1)?.failure,
    reported: (stream: TaskOutputStream) => joined(reported, stream),
    local: (stream: TaskOutputStream) => joined(local, stream),
    reports: () => reported.length,
    reporterClosed: () => reporterClosed,
  };
}

const started: Task[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((task) => task.cancel()));
});

describe('a driver task', () => {
  it('runs main(env, args) from the bundle’s main module and forwards its stdout and stderr before it reports FINISHED', async () => {
    const run = runDriverTask(driverDescriptor('', NO_LIMITS, ['--date', '2024-05-01']));
    expect(await run.task.terminated).toBe('FINISHED');
    expect(run.states.map((s) => s.state)).toEqual(['INITIALIZING', 'RUNNING', 'FINISHED']);

    const lines = Array.from({ length: 500 }, (_, line) => `line ${line}\n`).join('');
    const stdout = `hello from main ["--date","2024-05-01"] parallelism 3\n${lines}bye\n`;
    expect(run.reported('stdout')).toBe(stdout);
    expect(run.reported('stderr')).toBe('a warning\n');
    expect(run.local('stdout')).toBe(stdout);
    expect(run.local('stderr')).toBe('a warning\n');
    // Chunks written while a report is under way travel together: far fewer reports than writes.
    expect(run.reports()).toBeLessThan(100);
    expect(run.timeline.at(-1)).toBe('state FINISHED');
    expect(run.timeline.filter((entry) => entry.startsWith('output'))).toHaveLength(run.reports());
    expect(run.reporterClosed()).toBe(true);
  });

  it('fails with the error main() rejects with: name, message and a stack in the user’s module', async () => {
    const run = runDriverTask(driverDescriptor('app.mjs#rejects'));
    expect(await run.task.terminated).toBe('FAILED');
    expect(run.failure()).toMatchObject({ name: 'RangeError', message: 'no input for today' });
    expect(run.failure()!.stack).toMatch(/at rejects \(file:\/\/.*app\.mjs:\d+:\d+\)/);
  });

  it('fails naming the module or export it looked for when the entry does not exist', async () => {
    const missingModule = runDriverTask(driverDescriptor('lib/absent.mjs#main'));
    const missingExport = runDriverTask(driverDescriptor('#absent'));
    const notAFunction = runDriverTask(driverDescriptor('app.mjs#notAFunction'));
    expect(await Promise.all([missingModule, missingExport, notAFunction].map((run) => run.task.terminated))).toEqual([
      'FAILED',
      'FAILED',
      'FAILED',
    ]);
    expect(missingModule.failure()).toMatchObject({
      name: 'DriverEntryError',
      message: `the driver's module "lib/absent.mjs" (from the entry "lib/absent.mjs#main") is not in the bundle (looked for ${join(bundleRoot, 'lib/absent.mjs')})`,
    });
    expect(missingExport.failure()).toMatchObject({
      name: 'DriverEntryError',
      message:
        'the driver\'s module "app.mjs" does not export "absent"; the entry must name an exported function (module#export; its exported functions: hangs, hogsDirect, hogsHeap, main, rejects)',
    });
    expect(notAFunction.failure()!.message).toMatch(
      /^the driver's module "app.mjs" exports a number as "notAFunction"/,
    );
  });

  it('fails naming its heap limit when main() allocates past it', async () => {
    const run = runDriverTask(driverDescriptor('app.mjs#hogsHeap', { ...NO_LIMITS, heapMemoryMb: 64 }));
    expect(await run.task.terminated).toBe('FAILED');
    expect(run.failure()).toMatchObject({
      name: 'DriverMemoryLimitError',
      message: 'the driver ran out of heap memory: its limit is 64 MiB (--driver-heap-memory)',
      cause: { message: expect.stringMatching(/out of memory/i) },
    });
    // main() ran: the limit stopped its allocations, not the loading of the driver.
    expect(run.reported('stdout')).toBe('allocating\n');
  }, 60_000);

  it('fails naming its direct memory limit when main() holds more Buffers than it allows', async () => {
    const run = runDriverTask(driverDescriptor('app.mjs#hogsDirect', { ...NO_LIMITS, directMemoryMb: 32 }));
    expect(await run.task.terminated).toBe('FAILED');
    expect(run.failure()).toMatchObject({ name: 'DriverMemoryLimitError' });
    expect(run.failure()!.message).toMatch(
      /^the driver went past its direct memory: it holds 6\d\.\d MiB in ArrayBuffers and Buffers, and its limit is 32 MiB \(--driver-direct-memory\)$/,
    );
  });

  it('is cancelled while main() waits, with what it wrote so far forwarded', async () => {
    const run = runDriverTask(driverDescriptor('app.mjs#hangs'), 60_000);
    await expect.poll(() => run.reported('stdout')).toBe('waiting\n');
    expect(await run.task.cancel()).toBe('CANCELED');
    expect(run.states.map((s) => s.state)).toEqual(['INITIALIZING', 'RUNNING', 'CANCELED']);
  });
});
