/**
 * The job manager's main host: an application's `main()` from a bundle in the job manager's own
 * blob store, run in a real worker thread of this process (the compiled one in dist/, so
 * `npm run build` first), its console reported before its end, its failures and cancellation.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../common/testing/tempDir.js';
import { openBlobServerStore } from '../blob/openBlobServerStore.js';
import { createLogger } from '../common/logger.js';
import type { ExecutionState, SerializedError } from '../common/status.js';
import { tarball } from '../bundle/testing/tarball.js';
import type { ApplicationMainHost } from './ApplicationMainHost.js';
import { applicationMainDeployment } from './applicationMainJob.js';
import type { ApplicationMainSubmission } from './DispatcherRequests.js';
import type { OutputStream } from '../common/JobOutputLog.js';
import { taskWorkerMainHost } from './taskWorkerMainHost.js';

const APP = `// Mains of the main host tests.
import { threadId } from 'node:worker_threads';
export function main(env, args) {
  console.log('main in thread ' + threadId + ' of pid ' + process.pid + ' with ' + JSON.stringify(args) + ' parallelism ' + env.getParallelism());
  process.stderr.write('a warning\\n');
}
export async function throws() {
  console.log('about to give up');
  throw new TypeError('main() gave up');
}
export async function hangs() {
  console.log('waiting');
  await new Promise(() => undefined);
}
`;
const bundle = tarball([
  { path: 'package.json', content: JSON.stringify({ name: 'main-host-test', type: 'module', main: 'app.mjs' }) },
  { path: 'app.mjs', content: APP },
]);
const artifactId = createHash('sha256').update(bundle).digest('hex');
const logger = createLogger({ name: 'test', level: 'silent' });

async function* once(bytes: Buffer): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** A host over a fresh job manager state dir whose blob store holds the test bundle. */
async function newHost() {
  const stateDir = tempDir();
  const blobs = openBlobServerStore(stateDir);
  await blobs.put({ sha256: artifactId, sizeBytes: bundle.length, fileName: 'app.tgz' }, once(bundle));
  const local: string[] = [];
  const host = taskWorkerMainHost({
    blobs,
    stateDir,
    logger,
    cancellationGraceMs: 2000,
    writeLocalOutput: (stream, data) => void local.push(`${stream}: ${Buffer.from(data).toString()}`),
  });
  hosts.push(host);
  return { host, stateDir, local };
}

const hosts: ApplicationMainHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.close()));
});

function submission(entry: string, args: string[] = []): ApplicationMainSubmission {
  return {
    applicationId: 'app-1',
    applicationName: 'etl',
    bundle: { artifactId },
    entry,
    args,
    defaultParallelism: 3,
    properties: {},
    resources: { cpus: 0, heapMemoryMb: 0, directMemoryMb: 0, nativeMemoryMb: 0 },
  };
}

/** Runs `main()` of `entry`, recording its states and output in one timeline. */
function run(host: ApplicationMainHost, entry: string, args: string[] = []) {
  const timeline: string[] = [];
  const states: { state: ExecutionState; failure?: SerializedError }[] = [];
  let ended!: (state: ExecutionState) => void;
  const end = new Promise<ExecutionState>((resolve) => (ended = resolve));
  // The environment's submitter connects lazily; these mains submit nothing.
  const execution = host.run(applicationMainDeployment(submission(entry, args), 'job-main', '127.0.0.1:1'), {
    state: (state, failure) => {
      timeline.push(`state ${state}`);
      states.push({ state, failure });
      if (state === 'FINISHED' || state === 'FAILED' || state === 'CANCELED') ended(state);
    },
    output: (stream: OutputStream, data) => void timeline.push(`${stream}: ${Buffer.from(data).toString()}`),
  });
  return {
    execution,
    timeline,
    states,
    end,
    output: () => timeline.filter((entry) => !entry.startsWith('state ')).join(''),
  };
}

describe('the job manager’s main host', () => {
  it('runs main(env, args) of a bundle from its blob store in a worker thread of this process, its output reported before FINISHED', async () => {
    const { host, stateDir, local } = await newHost();
    expect(host.hasBundle(artifactId)).toBe(true);
    expect(host.hasBundle('0'.repeat(64))).toBe(false);
    expect(host.location).toBe(`the job manager (pid ${process.pid})`);

    const main = run(host, '', ['--top', '3']);
    expect(await main.end).toBe('FINISHED');
    expect(main.states.map((entry) => entry.state)).toEqual(['INITIALIZING', 'RUNNING', 'FINISHED']);
    expect(main.output()).toMatch(
      new RegExp(
        `^stdout: main in thread [1-9]\\d* of pid ${process.pid} with \\["--top","3"\\] parallelism 3\\nstderr: a warning\\n$`,
      ),
    );
    expect(main.timeline.at(-1)).toBe('state FINISHED');
    // The same text went to this process's own stdout and stderr (the job manager's .out and log files).
    expect(local.join('')).toBe(main.output());
    expect(existsSync(join(stateDir, 'bundles', artifactId, 'app.mjs'))).toBe(true);
  });

  it('fails with what main() threw, after its last output', async () => {
    const { host } = await newHost();
    const main = run(host, 'app.mjs#throws');
    expect(await main.end).toBe('FAILED');
    expect(main.states.at(-1)!.failure).toMatchObject({ name: 'TypeError', message: 'main() gave up' });
    expect(main.timeline.slice(-2)).toEqual(['stdout: about to give up\n', 'state FAILED']);
  });

  it('fails naming the bundle when the blob store does not hold it', async () => {
    const { host } = await newHost();
    const states: { state: ExecutionState; failure?: SerializedError }[] = [];
    host.run(
      applicationMainDeployment(
        { ...submission(''), bundle: { artifactId: 'f'.repeat(64) } },
        'job-main',
        '127.0.0.1:1',
      ),
      {
        state: (state, failure) => void states.push({ state, failure }),
        output: () => undefined,
      },
    );
    await expect.poll(() => states.at(-1)?.state).toBe('FAILED');
    expect(states.at(-1)!.failure).toMatchObject({
      name: 'NotFoundError',
      message: `bundle ${'f'.repeat(64)} is not in this job manager's blob server`,
    });
  });

  it('cancels a main() that waits, and close() stops the ones still running', async () => {
    const { host } = await newHost();
    const cancelled = run(host, 'app.mjs#hangs');
    const closed = run(host, 'app.mjs#hangs');
    await expect.poll(() => cancelled.output() + closed.output()).toBe('stdout: waiting\nstdout: waiting\n');
    await cancelled.execution.cancel();
    expect(cancelled.states.map((entry) => entry.state)).toEqual(['INITIALIZING', 'RUNNING', 'CANCELED']);
    await host.close();
    expect(closed.states.at(-1)!.state).toBe('CANCELED');
  });
});
