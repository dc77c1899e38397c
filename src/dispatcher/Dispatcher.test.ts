import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError, UnavailableError } from '../common/errors.js';
import { collectGraph, drain, SIDE_SINK, SINK, SOURCE, testDispatcher } from './testing/testDispatcher.js';

describe('Dispatcher jobs', () => {
  it('runs a job to FINISHED and returns each sink’s records in subtask order, whatever order they arrived in', async () => {
    const { dispatcher, cluster } = testDispatcher();
    // Subtask 0 of the sink reports last, so arrival order and subtask order differ.
    cluster.script = (task) => {
      if (task.vertexId === SINK)
        return {
          outcome: 'finish',
          collect: [`${task.subtaskIndex}-a`, `${task.subtaskIndex}-b`],
          delayTurns: task.subtaskIndex === 0 ? 5 : 0,
        };
      if (task.vertexId === SIDE_SINK) return { outcome: 'finish', collect: [{ side: true }] };
      return { outcome: 'finish' };
    };
    const jobId = await dispatcher.submitJob({
      graph: collectGraph('word count', { sideSink: true }),
      livingPriority: 'NORMAL',
      applicationId: 'app-1',
    });

    const result = await dispatcher.requestJobResult(jobId);
    expect(result).toMatchObject({ jobId, status: 'FINISHED' });
    expect(result.failure).toBeUndefined();
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect([...result.collected]).toEqual([
      [SINK, ['0-a', '0-b', '1-a', '1-b']],
      [SIDE_SINK, [{ side: true }]],
    ]);

    const summary = dispatcher.getJob(jobId);
    expect(summary).toMatchObject({
      id: jobId,
      name: 'word count',
      status: 'FINISHED',
      livingPriority: 'NORMAL',
      applicationId: 'app-1',
      clusterId: 'cluster-test',
      restarts: 0,
    });
    expect(summary.taskCounts).toEqual([{ state: 'FINISHED', count: 5 }]);
    expect(summary.endTime!.getTime()).toBeGreaterThanOrEqual(summary.submitTime.getTime());
    expect(cluster.allocatedSlots).toBe(0);
  });

  it('shows every subtask as CREATED while the job waits for slots, and live states while it runs', async () => {
    const { dispatcher, cluster } = testDispatcher({}, { taskExecutors: 1, slotsPerTaskExecutor: 2 });
    cluster.script = () => ({ outcome: 'hang' });
    const blocker = await dispatcher.submitJob({
      graph: collectGraph('holds every slot'),
      livingPriority: 'NORMAL',
      applicationId: '',
    });
    const waiting = await dispatcher.submitJob({
      graph: collectGraph('waits'),
      livingPriority: 'DAEMON',
      applicationId: '',
    });
    await expect.poll(() => dispatcher.getJob(blocker).taskCounts).toEqual([{ state: 'RUNNING', count: 4 }]);
    expect(dispatcher.getJob(waiting)).toMatchObject({
      status: 'RUNNING',
      taskCounts: [{ state: 'CREATED', count: 4 }],
    });
    expect(dispatcher.jobCounts()).toEqual({ running: 2, finished: 0, cancelled: 0, failed: 0 });
    dispatcher.cancelJob(blocker);
    dispatcher.cancelJob(waiting);
    expect((await dispatcher.requestJobResult(waiting)).status).toBe('CANCELED');
  });

  it('returns the same job for a repeated request id, and refuses the id for a different submission', async () => {
    const { dispatcher } = testDispatcher();
    const first = await dispatcher.submitJob({
      graph: collectGraph('etl'),
      livingPriority: 'NORMAL',
      applicationId: 'app-1',
      requestId: 'req-1',
    });
    const again = await dispatcher.submitJob({
      graph: collectGraph('etl'),
      livingPriority: 'NORMAL',
      applicationId: 'app-1',
      requestId: 'req-1',
    });
    expect(again).toBe(first);
    expect(dispatcher.size).toBe(1);
    const different = dispatcher.submitJob({
      graph: collectGraph('etl', { parallelism: 3 }),
      livingPriority: 'NORMAL',
      applicationId: 'app-1',
      requestId: 'req-1',
    });
    await expect(different).rejects.toThrow(AlreadyExistsError);
    await expect(different).rejects.toThrow(`request id "req-1" was already used for job ${first}`);
    const other = await dispatcher.submitJob({
      graph: collectGraph('etl'),
      livingPriority: 'NORMAL',
      applicationId: 'app-1',
      requestId: 'req-2',
    });
    expect(other).not.toBe(first);
  });

  it('drops the collected records of a failed attempt: only the attempt that finished counts', async () => {
    const { dispatcher, cluster } = testDispatcher();
    cluster.script = (task) => {
      if (task.vertexId !== SINK) return { outcome: 'finish' };
      if (task.attemptNumber === 0) {
        // Subtask 0 finishes with its records; subtask 1 fails afterwards, so the job restarts.
        return task.subtaskIndex === 0
          ? { outcome: 'finish', collect: ['stale-0'] }
          : { outcome: 'fail', collect: ['stale-1'], delayTurns: 5 };
      }
      return { outcome: 'finish', collect: [`fresh-${task.subtaskIndex}`] };
    };
    const jobId = await dispatcher.submitJob({
      graph: collectGraph('flaky'),
      livingPriority: 'NORMAL',
      applicationId: '',
    });
    const result = await dispatcher.requestJobResult(jobId);
    expect(result.status).toBe('FINISHED');
    expect(result.collected.get(SINK)).toEqual(['fresh-0', 'fresh-1']);
    expect(dispatcher.getJob(jobId).restarts).toBe(1);

    const staleSink = cluster.deployed.find((task) => task.vertexId === SINK && task.attemptNumber === 0)!;
    expect(dispatcher.reportCollectedRecords(jobId, staleSink.executionAttemptId, ['late'], 6)).toBe(false);
  });

  it('fails the job, without restarting, when its collected records pass the limit, naming the limit and the sink', async () => {
    const { dispatcher, cluster } = testDispatcher({ maxCollectedBytesPerJob: 64 });
    cluster.script = (task) =>
      task.vertexId === SINK ? { outcome: 'finish', collect: ['x'.repeat(40)] } : { outcome: 'finish' };
    const jobId = await dispatcher.submitJob({
      graph: collectGraph('too big', { restartStrategy: { kind: 'fixedDelay', maxAttempts: 5, delayMs: 1 } }),
      livingPriority: 'NORMAL',
      applicationId: '',
    });
    const result = await dispatcher.requestJobResult(jobId);
    expect(result.status).toBe('FAILED');
    expect(result.failure!.name).toBe('CollectLimitExceededError');
    expect(result.failure!.message).toMatch(
      /more than 64 bytes of records .* sink "Map -> Sink: collect" \(vertex sink, subtask \d\)/,
    );
    expect(result.collected.size).toBe(0);
    expect(dispatcher.getJob(jobId)).toMatchObject({
      status: 'FAILED',
      restarts: 0,
      failure: { name: 'CollectLimitExceededError' },
    });
  });

  it('cancels a job (CANCELLING, then CANCELED), and answers a second cancel with the job unchanged', async () => {
    const { dispatcher, cluster } = testDispatcher();
    cluster.script = () => ({ outcome: 'hang' });
    const jobId = await dispatcher.submitJob({
      graph: collectGraph('forever'),
      livingPriority: 'NORMAL',
      applicationId: '',
    });
    await expect.poll(() => dispatcher.getJob(jobId).taskCounts).toEqual([{ state: 'RUNNING', count: 4 }]);
    expect(dispatcher.cancelJob(jobId).status).toBe('CANCELLING');
    const result = await dispatcher.requestJobResult(jobId);
    expect(result).toMatchObject({ status: 'CANCELED', collected: new Map() });
    const ended = dispatcher.getJob(jobId);
    expect(ended.taskCounts).toEqual([{ state: 'CANCELED', count: 4 }]);
    expect(dispatcher.cancelJob(jobId)).toEqual(ended);
    expect(dispatcher.jobCounts()).toEqual({ running: 0, finished: 0, cancelled: 1, failed: 0 });
    expect(cluster.allocatedSlots).toBe(0);
  });

  it('answers NOT_FOUND naming the id for an unknown job, and false to reports about it', async () => {
    const { dispatcher } = testDispatcher();
    expect(() => dispatcher.getJob('job-nope')).toThrow(NotFoundError);
    expect(() => dispatcher.getJob('job-nope')).toThrow('job "job-nope" is not known to this cluster');
    expect(() => dispatcher.cancelJob('job-nope')).toThrow(NotFoundError);
    await expect(dispatcher.requestJobResult('job-nope')).rejects.toThrow(NotFoundError);
    expect(() => dispatcher.watchJobEvents({ afterSequence: 0, jobId: 'job-nope', follow: false })).toThrow(/job-nope/);
    expect(() => dispatcher.readJobOutput('job-nope', 0, false)).toThrow(NotFoundError);
    expect(() => dispatcher.reportTaskOutput('job-nope', 'attempt-1', 'stdout', Buffer.from('hi\n'))).toThrow(
      NotFoundError,
    );
    expect(
      dispatcher.updateTaskExecutionState({
        taskExecutorId: 'te-0',
        jobId: 'job-nope',
        executionAttemptId: 'attempt-1',
        state: 'RUNNING',
      }),
    ).toBe(false);
    expect(dispatcher.reportCollectedRecords('job-nope', 'attempt-1', [1], 1)).toBe(false);
  });

  it('lists jobs newest first, a page at a time, and refuses a page token it did not issue', async () => {
    const { dispatcher } = testDispatcher({}, { taskExecutors: 4 });
    const ids: string[] = [];
    for (const name of ['first', 'second', 'third'])
      ids.push(await dispatcher.submitJob({ graph: collectGraph(name), livingPriority: 'NORMAL', applicationId: '' }));
    const page1 = dispatcher.listJobs({ pageSize: 2, pageToken: '' });
    expect(page1.jobs.map((job) => job.name)).toEqual(['third', 'second']);
    expect(page1.nextPageToken).not.toBe('');
    // A job submitted between pages does not shift the next page.
    await dispatcher.submitJob({ graph: collectGraph('fourth'), livingPriority: 'NORMAL', applicationId: '' });
    const page2 = dispatcher.listJobs({ pageSize: 2, pageToken: page1.nextPageToken });
    expect(page2.jobs.map((job) => job.id)).toEqual([ids[0]]);
    expect(page2.nextPageToken).toBe('');
    expect(dispatcher.listJobs({ pageSize: 0, pageToken: '' }).jobs).toHaveLength(4);
    expect(() => dispatcher.listJobs({ pageSize: 2, pageToken: 'bm9wZQ' })).toThrow(InvalidArgumentError);
    expect(() => dispatcher.listJobs({ pageSize: 2, pageToken: '%%%' })).toThrow(
      /page_token is not one this job manager issued/,
    );
  });

  it('forgets the oldest ended jobs past its limit, but never a running one', async () => {
    const { dispatcher } = testDispatcher({ maxRetainedEndedJobs: 2 }, { taskExecutors: 4 });
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const jobId = await dispatcher.submitJob({
        graph: collectGraph(name),
        livingPriority: 'NORMAL',
        applicationId: '',
      });
      await dispatcher.requestJobResult(jobId);
      ids.push(jobId);
    }
    expect(() => dispatcher.getJob(ids[0])).toThrow(NotFoundError);
    expect(dispatcher.listJobs({ pageSize: 10, pageToken: '' }).jobs.map((job) => job.name)).toEqual(['c', 'b']);
  });
});

describe('Dispatcher and the task executors', () => {
  it('fails over the tasks of a lost task executor and still finishes', async () => {
    const { dispatcher, cluster } = testDispatcher({}, { taskExecutors: 3, slotsPerTaskExecutor: 1 });
    cluster.script = (task) =>
      task.attemptNumber === 0
        ? { outcome: 'hang' }
        : { outcome: 'finish', collect: task.vertexId === SINK ? [task.subtaskIndex] : undefined };
    const jobId = await dispatcher.submitJob({
      graph: collectGraph('survivor'),
      livingPriority: 'NORMAL',
      applicationId: '',
    });
    await expect.poll(() => dispatcher.getJob(jobId).taskCounts).toEqual([{ state: 'RUNNING', count: 4 }]);
    const running = await drain(dispatcher.watchJobEvents({ afterSequence: 0, jobId, follow: false }));
    expect(
      running.some((event) => event.kind.type === 'taskStateChanged' && event.kind.taskExecutorId === 'te-0'),
    ).toBe(true);
    cluster.lose('te-0', 'no heartbeat for 12000 ms');
    const result = await dispatcher.requestJobResult(jobId);
    expect(result.status).toBe('FINISHED');
    expect(result.collected.get(SINK)).toEqual([0, 1]);
    const failed = (await drain(dispatcher.watchJobEvents({ afterSequence: 0, jobId, follow: false }))).find(
      (event) => event.kind.type === 'taskStateChanged' && event.kind.state === 'FAILED',
    );
    expect(failed?.kind).toMatchObject({
      failure: { name: 'TaskExecutorLostError', message: expect.stringContaining('no heartbeat for 12000 ms') },
    });
  });

  it('fails a task whose task executor is no longer registered, naming it', async () => {
    const { dispatcher, cluster } = testDispatcher({}, { taskExecutors: 1, slotsPerTaskExecutor: 2 });
    const slotHolder = cluster.requestSlot.bind(cluster);
    // The slot is granted, then its task executor leaves before the task is deployed.
    cluster.requestSlot = async (jobId, resources) => {
      const slot = await slotHolder(jobId, resources);
      cluster.unregister('te-0');
      return slot;
    };
    const jobId = await dispatcher.submitJob({
      graph: collectGraph('orphan', { restartStrategy: { kind: 'none' } }),
      livingPriority: 'NORMAL',
      applicationId: '',
    });
    const result = await dispatcher.requestJobResult(jobId);
    expect(result.status).toBe('FAILED');
    expect(result.failure).toMatchObject({
      name: 'TaskExecutorNotRegisteredError',
      message: expect.stringContaining('task executor te-0 is no longer registered'),
    });
  });

  it('tells a heartbeat which running attempts no job master wants', async () => {
    const { dispatcher, cluster } = testDispatcher();
    cluster.script = () => ({ outcome: 'hang' });
    const jobId = await dispatcher.submitJob({
      graph: collectGraph('watched'),
      livingPriority: 'NORMAL',
      applicationId: '',
    });
    await expect.poll(() => dispatcher.getJob(jobId).taskCounts).toEqual([{ state: 'RUNNING', count: 4 }]);
    const current = cluster.deployed.map((task) => task.executionAttemptId);
    expect(dispatcher.unknownExecutionAttempts([...current, 'attempt-ghost'])).toEqual(['attempt-ghost']);
    dispatcher.cancelJob(jobId);
    await dispatcher.requestJobResult(jobId);
    expect(dispatcher.unknownExecutionAttempts(current)).toEqual(current);
  });

  it('refuses a state report from a task executor that does not run the attempt', async () => {
    const { dispatcher, cluster } = testDispatcher();
    cluster.script = () => ({ outcome: 'hang' });
    const jobId = await dispatcher.submitJob({
      graph: collectGraph('guarded'),
      livingPriority: 'NORMAL',
      applicationId: '',
    });
    await expect.poll(() => dispatcher.getJob(jobId).taskCounts).toEqual([{ state: 'RUNNING', count: 4 }]);
    const task = cluster.deployed[0];
    expect(
      dispatcher.updateTaskExecutionState({
        taskExecutorId: 'te-elsewhere',
        jobId,
        executionAttemptId: task.executionAttemptId,
        state: 'FINISHED',
      }),
    ).toBe(false);
    expect(dispatcher.getJob(jobId).taskCounts).toEqual([{ state: 'RUNNING', count: 4 }]);
    dispatcher.cancelJob(jobId);
    await dispatcher.requestJobResult(jobId);
  });

  it('shuts the cluster down: cancels running jobs, stops every task executor, then calls onShutDown', async () => {
    const { dispatcher, cluster, shutDowns } = testDispatcher();
    cluster.script = () => ({ outcome: 'hang' });
    const jobId = await dispatcher.submitJob({
      graph: collectGraph('interrupted'),
      livingPriority: 'NORMAL',
      applicationId: '',
    });
    await expect.poll(() => dispatcher.getJob(jobId).taskCounts).toEqual([{ state: 'RUNNING', count: 4 }]);
    await dispatcher.shutDownCluster('application finished');
    expect(dispatcher.getJob(jobId).status).toBe('CANCELED');
    expect(cluster.shutDowns.sort()).toEqual(['te-0: application finished', 'te-1: application finished']);
    await expect.poll(() => shutDowns).toEqual(['application finished']);
    await expect(
      dispatcher.submitJob({ graph: collectGraph('too late'), livingPriority: 'NORMAL', applicationId: '' }),
    ).rejects.toThrow(UnavailableError);
  });

  it('keeps task output per job with offsets', async () => {
    const { dispatcher, cluster } = testDispatcher();
    cluster.script = (task) => ({
      outcome: 'finish',
      stdout: task.vertexId === SOURCE ? `source ${task.subtaskIndex}\n` : undefined,
    });
    const jobId = await dispatcher.submitJob({
      graph: collectGraph('chatty'),
      livingPriority: 'NORMAL',
      applicationId: '',
    });
    await dispatcher.requestJobResult(jobId);
    const chunks = await drain(dispatcher.readJobOutput(jobId, 0, true));
    expect(chunks.map((chunk) => chunk.data.toString()).sort()).toEqual(['source 0\n', 'source 1\n']);
    expect(chunks.map((chunk) => [chunk.offset, chunk.nextOffset])).toEqual([
      [0, 9],
      [9, 18],
    ]);
  });
});
