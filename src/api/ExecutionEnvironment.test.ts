import { describe, expect, it } from 'vitest';
import { FailedPreconditionError, InvalidArgumentError } from '../common/errors.js';
import { serializeError } from '../common/status.js';
import { DEFAULT_JOB_NAME, ExecutionEnvironment } from './ExecutionEnvironment.js';
import { compileExecutionEnvironmentOptions, type ExecutionEnvironmentOptions } from './ExecutionEnvironmentOptions.js';
import { JobExecutionError } from './JobExecutionError.js';
import { FakeJobSubmitter, type CannedResult } from './testing/FakeJobSubmitter.js';
import { testCapturer } from './testing/testCapturer.js';

function environment(
  respond?: ConstructorParameters<typeof FakeJobSubmitter>[0],
  options: Partial<ExecutionEnvironmentOptions> = {},
) {
  const submitter = new FakeJobSubmitter(respond);
  const env = new ExecutionEnvironment({ submitter, captureFunction: testCapturer, ...options });
  return { env, submitter };
}

function userFailure(): CannedResult {
  const error = new TypeError("Cannot read properties of undefined (reading 'split')");
  return { status: 'FAILED', failure: serializeError(error), durationMs: 12, collected: new Map() };
}

describe('ExecutionEnvironment', () => {
  it('refuses to execute when no sink was declared', async () => {
    const { env, submitter } = environment();
    env.fromCollection([1]).map((x) => x);
    await expect(env.execute()).rejects.toThrow(FailedPreconditionError);
    await expect(env.executeAsync('x')).rejects.toThrow(
      'no sinks defined; add print(), writeAsText() or collect() before execute()',
    );
    expect(submitter.submitted).toHaveLength(0);
  });

  it('clears the declared sinks after execute, so the next job holds only sinks declared since', async () => {
    const { env, submitter } = environment();
    const numbers = env.fromCollection([1, 2]);
    numbers.print('first');
    await env.execute('one');
    await expect(env.execute('again')).rejects.toThrow(/no sinks defined/);

    numbers.writeAsText('/tmp/second');
    await env.execute('two');
    expect(submitter.submitted.map((graph) => graph.name)).toEqual(['one', 'two']);
    expect(
      submitter.submitted[1].vertices.flatMap((vertex) => vertex.operators.map((operator) => operator.kind)),
    ).toEqual(['collectionSource', 'textFileSink']);
  });

  it('names jobs with the prefix when one is set, and gives unnamed jobs the default name', async () => {
    const prefixed = environment(undefined, { jobNamePrefix: 'nightly-report' });
    prefixed.env.fromCollection([1]).print();
    await prefixed.env.execute('aggregate');
    prefixed.env.fromCollection([1]).print();
    await prefixed.env.execute();
    expect(prefixed.submitter.submitted.map((graph) => graph.name)).toEqual([
      'nightly-report: aggregate',
      `nightly-report: ${DEFAULT_JOB_NAME}`,
    ]);

    const plain = environment();
    plain.env.fromCollection([1]).print();
    await plain.env.execute();
    expect(plain.submitter.onlyGraph.name).toBe(DEFAULT_JOB_NAME);
  });

  it('puts the bundle, restart strategy and properties into every job graph', async () => {
    const { env, submitter } = environment(undefined, {
      bundle: { artifactId: 'a'.repeat(64) },
      restartStrategy: { kind: 'fixedDelay', maxAttempts: 3, delayMs: 100 },
      properties: { 'pipeline.name': 'x' },
    });
    env.fromCollection([1]).print();
    await env.execute();
    expect(submitter.onlyGraph).toMatchObject({
      bundle: { artifactId: 'a'.repeat(64) },
      restartStrategy: { kind: 'fixedDelay', maxAttempts: 3, delayMs: 100 },
      properties: { 'pipeline.name': 'x' },
    });
  });

  it('resolves execute() with the job id and run time of a finished job', async () => {
    const { env } = environment(() => ({ status: 'FINISHED', durationMs: 1234, collected: new Map() }));
    env.generateSequence(1, 3).print();
    const result = await env.execute('count');
    expect(result.getJobID()).toBe('job-1');
    expect(result.getNetRuntime()).toBe(1234);
  });

  it('returns a JobClient from executeAsync() that asks, cancels and waits for the submitted job', async () => {
    const { env, submitter } = environment();
    env.fromCollection([1]).print();
    const client = await env.executeAsync('async');
    expect(client.getJobID()).toBe('job-1');
    expect(await client.getJobStatus()).toBe('RUNNING');
    await client.cancel();
    expect(submitter.cancellations.get('job-1')).toBe(1);

    const first = await client.getJobExecutionResult();
    const second = await client.getJobExecutionResult();
    expect(second).toBe(first);
    expect(submitter.resultRequests.get('job-1')).toBe(1);
  });

  it("submits executeAsync(name, { livingPriority: 'DAEMON' }) as a daemon job and every other job as NORMAL", async () => {
    const { env, submitter } = environment();
    env.fromGenerator((n) => n).print();
    await env.executeAsync('daemon', { livingPriority: 'DAEMON' });
    env.fromCollection([1]).print();
    await env.executeAsync('normal', { livingPriority: 'NORMAL' });
    env.fromCollection([2]).print();
    await env.execute('waited for');
    expect(submitter.submitOptions).toEqual([{ livingPriority: 'DAEMON' }, undefined, undefined]);
  });

  it('refuses a living priority other than NORMAL or DAEMON, naming the ones it takes', async () => {
    const { env, submitter } = environment();
    env.fromCollection([1]).print();
    await expect(
      env.executeAsync('driver?', { livingPriority: 'DRIVER' } as unknown as { livingPriority: 'DAEMON' }),
    ).rejects.toThrow(
      new InvalidArgumentError(
        `ExecutionEnvironment.executeAsync() expects "livingPriority" to be 'NORMAL' or 'DAEMON', got "DRIVER"`,
      ),
    );
    await expect(env.executeAsync('odd', 'DAEMON' as never)).rejects.toThrow(InvalidArgumentError);
    expect(submitter.submitted).toHaveLength(0);
  });

  it('rejects execute() of a failed job with a JobExecutionError that carries the user error', async () => {
    const { env } = environment(userFailure);
    env
      .fromCollection(['a'])
      .map((line) => line)
      .print();
    const error = await env.execute('words').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(JobExecutionError);
    const failure = error as JobExecutionError;
    expect(failure.message).toBe(
      `job "words" (job-1) failed: TypeError: Cannot read properties of undefined (reading 'split')`,
    );
    expect(failure.jobId).toBe('job-1');
    expect(failure.status).toBe('FAILED');
    expect(failure.cause).toBeInstanceOf(Error);
    expect((failure.cause as Error).name).toBe('TypeError');
    expect((failure.cause as Error).message).toBe("Cannot read properties of undefined (reading 'split')");
    expect((failure.cause as Error).stack).toContain('ExecutionEnvironment.test.ts');
  });

  it('rejects the result of a canceled job', async () => {
    const { env } = environment(() => ({ status: 'CANCELED', durationMs: 3, collected: new Map() }));
    env.fromCollection([1]).print();
    const client = await env.executeAsync('stopped');
    await expect(client.getJobExecutionResult()).rejects.toThrow(`job "stopped" (job-1) was canceled`);
    await expect(client.getJobExecutionResult()).rejects.toMatchObject({ status: 'CANCELED', jobId: 'job-1' });
  });

  it('refuses bad source arguments and a bad parallelism at the call', () => {
    const { env } = environment();
    expect(() => env.fromCollection(42 as never)).toThrow(
      /fromCollection\(\) expects an array or another iterable, got a number/,
    );
    expect(() => env.fromCollection('abc' as never)).toThrow(InvalidArgumentError);
    expect(() => env.fromCollection([1, () => 2])).toThrow(
      /fromCollection\(\): element 1 cannot be sent to a task executor/,
    );
    expect(() => env.readTextFile('')).toThrow(/readTextFile\(\) expects a path as a non-empty string/);
    expect(() => env.generateSequence(1.5, 3)).toThrow(/generateSequence\(\) expects "from" as an integer, got 1.5/);
    expect(() => env.generateSequence(5, 1)).toThrow(/"from" <= "to"/);
    for (const bad of [0, -1, 1.5, Number.NaN, '2']) {
      expect(() => env.setParallelism(bad as number)).toThrow(InvalidArgumentError);
    }
    expect(env.getParallelism()).toBe(1);
    expect(env.setParallelism(3).getParallelism()).toBe(3);
  });

  it('refuses an empty job name', async () => {
    const { env } = environment();
    env.fromCollection([1]).print();
    await expect(env.execute('  ')).rejects.toThrow(/execute\(\) expects a job name as a non-empty string/);
  });
});

describe('compileExecutionEnvironmentOptions', () => {
  const submitter = new FakeJobSubmitter();

  it('fills defaults', () => {
    expect(compileExecutionEnvironmentOptions({ submitter, captureFunction: testCapturer })).toEqual({
      submitter,
      captureFunction: testCapturer,
      defaultParallelism: 1,
      properties: {},
      runtimeMode: 'AUTOMATIC',
      preAggregation: true,
      // Loggers write to stderr at level info unless told otherwise.
      logSink: expect.any(Function),
      logLevel: 'info',
    });
    expect(
      compileExecutionEnvironmentOptions({ submitter, captureFunction: testCapturer, jobNamePrefix: '' }),
    ).not.toHaveProperty('jobNamePrefix');
  });

  it('refuses options it cannot work with', () => {
    expect(() => compileExecutionEnvironmentOptions({ submitter: {} as never, captureFunction: testCapturer })).toThrow(
      /submitter/,
    );
    expect(() => compileExecutionEnvironmentOptions({ submitter, captureFunction: undefined as never })).toThrow(
      /captureFunction/,
    );
    expect(() =>
      compileExecutionEnvironmentOptions({ submitter, captureFunction: testCapturer, defaultParallelism: 0 }),
    ).toThrow(/parallelism/);
    expect(() =>
      compileExecutionEnvironmentOptions({ submitter, captureFunction: testCapturer, properties: { a: 1 as never } }),
    ).toThrow(/property "a" as a string/);
  });
});
