import { describe, expect, it } from 'vitest';
import { compileSubmission, normalizeEntry } from './compileSubmission.js';
import type { RunApplicationInput } from './RunApplicationInput.js';

const valid: RunApplicationInput = {
  requestId: '',
  name: 'wordcount',
  bundle: { artifactId: 'a'.repeat(64) },
  entry: '',
  args: ['3'],
  mode: 'DRIVER',
  detached: false,
  driverResources: { cpus: 0, heapMemoryMb: 0, directMemoryMb: 0, nativeMemoryMb: 0 },
  parallelism: 0,
  properties: {},
  driverAttempts: 0,
  driverRetryOwnFailures: false,
};

const withInput = (changes: Partial<RunApplicationInput>) => () => compileSubmission({ ...valid, ...changes });

describe('compileSubmission', () => {
  it('fills in the defaults: parallelism 1, an owned cluster of one task executor with parallelism + 1 slots, entry #main', () => {
    expect(compileSubmission(valid)).toEqual({
      name: 'wordcount',
      mode: 'DRIVER',
      detached: true,
      bundle: { artifactId: 'a'.repeat(64) },
      entry: '#main',
      args: ['3'],
      target: { kind: 'deploy', spec: { taskExecutors: 1, slotsPerTaskExecutor: 2, properties: {} } },
      driverResources: valid.driverResources,
      parallelism: 1,
      properties: {},
      driverAttempts: 1,
      driverRetryOwnFailures: false,
    });
    expect(
      compileSubmission({
        ...valid,
        parallelism: 4,
        target: { kind: 'deploy', spec: { taskExecutors: 2, slotsPerTaskExecutor: 0, properties: {} } },
      }).target,
    ).toEqual({
      kind: 'deploy',
      spec: { taskExecutors: 2, slotsPerTaskExecutor: 5, properties: {} },
    });
  });

  it('answers a missing mode INVALID_ARGUMENT', () => {
    expect(withInput({ mode: undefined })).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError', message: expect.stringContaining('mode is required') }),
    );
  });

  it('runs SESSION mode on a named cluster only, attached or detached', () => {
    expect(withInput({ mode: 'SESSION' })).toThrow(
      expect.objectContaining({
        name: 'InvalidArgumentError',
        message: expect.stringContaining('SESSION mode runs the jobs on a cluster you name'),
      }),
    );
    const session = compileSubmission({
      ...valid,
      mode: 'SESSION',
      detached: true,
      target: { kind: 'jobmanager', address: 'localhost:6123' },
    });
    expect(session).toMatchObject({
      mode: 'SESSION',
      detached: true,
      target: { kind: 'jobmanager', address: 'localhost:6123' },
    });
  });

  it('deploys a cluster per job in PER_JOB mode and refuses a named cluster', () => {
    expect(withInput({ mode: 'PER_JOB', target: { kind: 'cluster', clusterId: 'cluster-1' } })).toThrow(
      /PER_JOB mode deploys a new cluster for every job/,
    );
    const perJob = compileSubmission({ ...valid, mode: 'PER_JOB', parallelism: 3 });
    expect(perJob).toMatchObject({
      mode: 'PER_JOB',
      detached: false,
      target: { kind: 'deploy', spec: { taskExecutors: 1, slotsPerTaskExecutor: 3 } },
    });
  });

  it('runs APPLICATION mode on a cluster of its own, sized for the jobs only (main() takes no slot), detached from the client', () => {
    for (const target of [
      { kind: 'cluster', clusterId: 'cluster-1' },
      { kind: 'jobmanager', address: 'localhost:6123' },
    ] as const) {
      expect(withInput({ mode: 'APPLICATION', target })).toThrow(
        expect.objectContaining({
          name: 'InvalidArgumentError',
          message: expect.stringContaining('APPLICATION mode always runs on a cluster of its own'),
        }),
      );
    }
    const application = compileSubmission({ ...valid, mode: 'APPLICATION', detached: true, parallelism: 3 });
    expect(application).toMatchObject({
      mode: 'APPLICATION',
      detached: true,
      target: { kind: 'deploy', spec: { taskExecutors: 1, slotsPerTaskExecutor: 3 } },
    });
    expect(compileSubmission({ ...valid, mode: 'APPLICATION', detached: false })).toMatchObject({ detached: true });
  });

  it('takes 1 to 10 driver attempts in DRIVER mode (0 is 1), and only one in other modes', () => {
    expect(compileSubmission({ ...valid, driverAttempts: 3 }).driverAttempts).toBe(3);
    expect(withInput({ driverAttempts: 11 })).toThrow(/driver_attempts must be 0 \(the default, 1\) to 10, got 11/);
    expect(
      withInput({
        mode: 'SESSION',
        driverAttempts: 2,
        target: { kind: 'jobmanager', address: '127.0.0.1:6123' },
      }),
    ).toThrow(/driver_attempts applies to DRIVER mode only/);
  });

  it('retries a driver’s own failures only when asked, and only in DRIVER mode', () => {
    expect(compileSubmission(valid).driverRetryOwnFailures).toBe(false);
    expect(
      compileSubmission({ ...valid, driverAttempts: 2, driverRetryOwnFailures: true }).driverRetryOwnFailures,
    ).toBe(true);
    expect(
      withInput({
        mode: 'SESSION',
        driverRetryOwnFailures: true,
        target: { kind: 'jobmanager', address: '127.0.0.1:6123' },
      }),
    ).toThrow(/driver_retry_own_failures applies to DRIVER mode only/);
  });

  it('refuses detached together with DRIVER, pointing at --follow', () => {
    expect(withInput({ detached: true })).toThrow(/driver-mode application always runs detached .* use --follow/);
  });

  it('names the field of each bad value', () => {
    expect(withInput({ bundle: undefined })).toThrow(/bundle is required/);
    expect(withInput({ bundle: { artifactId: 'ABC' } })).toThrow(
      /bundle.artifact_id "ABC" is not a lowercase hex sha256/,
    );
    expect(withInput({ bundle: { uri: 'https://example.com/b.tgz' } })).toThrow(
      expect.objectContaining({ name: 'NotImplementedError' }),
    );
    expect(withInput({ parallelism: 5000 })).toThrow(/parallelism must be 0 \(the default, 1\) to 1024, got 5000/);
    expect(withInput({ name: 'a\nb' })).toThrow(/name must not contain control characters/);
    expect(withInput({ name: 'x'.repeat(201) })).toThrow(/name must be at most 200 characters/);
    expect(withInput({ args: ['ok', 'bad\u0000'] })).toThrow(/args\[1\] must not contain NUL/);
    expect(withInput({ driverResources: { ...valid.driverResources, cpus: -1 } })).toThrow(
      /driver_resources.cpus must be a number from 0/,
    );
    expect(withInput({ driverResources: { ...valid.driverResources, cpus: Number.NaN } })).toThrow(
      /driver_resources.cpus/,
    );
    expect(withInput({ driverResources: { ...valid.driverResources, heapMemoryMb: 1024 * 1024 * 2 } })).toThrow(
      /driver_resources.heap_memory_mb/,
    );
    expect(withInput({ properties: { '': 'x' } })).toThrow(/properties has an empty key/);
    expect(withInput({ requestId: 'r\n' })).toThrow(/request_id must not contain control characters/);
    expect(withInput({ target: { kind: 'cluster', clusterId: '' } })).toThrow(/cluster.cluster_id is empty/);
    expect(withInput({ target: { kind: 'jobmanager', address: 'localhost' } })).toThrow(
      /cluster.jobmanager_address "localhost" is not HOST:PORT/,
    );
    expect(withInput({ target: { kind: 'jobmanager', address: '127.0.0.1:0' } })).toThrow(
      /needs the port to dial, not 0/,
    );
    expect(withInput({ target: { kind: 'jobmanager', address: 'constructor:1' } })).toThrow(
      /gRPC reads the host "constructor" as a URI scheme/,
    );
    expect(
      withInput({ target: { kind: 'deploy', spec: { taskExecutors: 65, slotsPerTaskExecutor: 0, properties: {} } } }),
    ).toThrow(/cluster.deploy.task_executors must be 0 \(the default, 1\) to 64/);
    expect(
      withInput({
        target: {
          kind: 'deploy',
          spec: {
            taskExecutors: 1,
            slotsPerTaskExecutor: 1,
            taskExecutorResources: { cpus: -2, heapMemoryMb: 0, directMemoryMb: 0, nativeMemoryMb: 0 },
            properties: {},
          },
        },
      }),
    ).toThrow(/cluster.deploy.task_executor_resources.cpus/);
    expect(withInput({ savepoint: { path: 'savepoints/1', allowNonRestoredState: false } })).toThrow(
      /savepoint.path "savepoints\/1" is not an absolute path/,
    );
    expect(withInput({ savepoint: { path: '/savepoints/1', allowNonRestoredState: false }, resume: true })).toThrow(
      /\(-s\) and resume \(-r\) contradict each other/,
    );
  });

  it('keeps a savepoint path (absolute, normalized) or resume, with allow_non_restored_state', () => {
    expect(
      compileSubmission({ ...valid, savepoint: { path: 'file:///savepoints//a/', allowNonRestoredState: true } })
        .savepoint,
    ).toEqual({ path: '/savepoints/a', allowNonRestoredState: true });
    expect(compileSubmission({ ...valid, resume: true }).savepoint).toEqual({
      path: '',
      allowNonRestoredState: false,
      resume: true,
    });
    expect(compileSubmission({ ...valid, savepoint: { path: '', allowNonRestoredState: false } }).savepoint).toBe(
      undefined,
    );
  });

  it('normalizes entries to module#export and keeps them inside the bundle', () => {
    expect(normalizeEntry('')).toBe('#main');
    expect(normalizeEntry('jobs/word.js')).toBe('jobs/word.js#main');
    expect(normalizeEntry('#run')).toBe('#run');
    expect(normalizeEntry('main.js#run')).toBe('main.js#run');
    expect(() => normalizeEntry('a#b#c')).toThrow(/more than one "#"/);
    expect(() => normalizeEntry('main.js#not-an-identifier')).toThrow(/is not a JavaScript identifier/);
    expect(() => normalizeEntry('../outside.js')).toThrow(/inside the bundle/);
    expect(() => normalizeEntry('/etc/passwd#x')).toThrow(/inside the bundle/);
  });
});
