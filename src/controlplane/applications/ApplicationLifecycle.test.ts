import { describe, expect, it, vi } from 'vitest';
import { silentLogger, testApplication, testState } from '../testing/testState.js';
import { ApplicationLifecycle } from './ApplicationLifecycle.js';

async function setUp() {
  const state = testState();
  const onEnded = vi.fn();
  const lifecycle = new ApplicationLifecycle({
    store: state.store,
    log: state.log,
    logger: silentLogger,
    publisher: {
      publish: async (event) => {
        if (event.type === 'applicationEnded') onEnded(event.application);
      },
    },
  });
  const application = testApplication();
  await state.applications.insert(application);
  return { ...state, lifecycle, onEnded, application };
}

describe('ApplicationLifecycle', () => {
  it('writes a status change and its event together, and only allowed changes', async () => {
    const { lifecycle, application, applications, events } = await setUp();
    expect(await lifecycle.changeStatus(application.id, 'RUNNING', { message: 'driver accepted' })).toBe(true);
    expect(await lifecycle.changeStatus(application.id, 'RUNNING', { message: 'again' })).toBe(false);
    expect(await lifecycle.changeStatus(application.id, 'DEPLOYING', { message: 'back' })).toBe(false);
    expect(await applications.get(application.id)).toMatchObject({ status: 'RUNNING', lastEventSequence: 1 });
    expect((await events.read(application.id, 0, 10)).map((event) => event.kind)).toEqual([
      { type: 'applicationStatusChanged', status: 'RUNNING', message: 'driver accepted' },
    ]);
  });

  it('records the end with its time and failure, keeps the terminal event last, and reports the end after commit', async () => {
    const { lifecycle, application, applications, events, onEnded } = await setUp();
    const failure = { name: 'DriverLostError', message: 'lost', stack: '' };
    await lifecycle.changeStatus(application.id, 'FAILED', { message: 'the driver was lost', failure });
    // Reported in a later turn than the commit, not from inside the transaction.
    expect(onEnded).not.toHaveBeenCalled();
    expect(await applications.get(application.id)).toMatchObject({ status: 'FAILED', failure });
    expect((await applications.get(application.id)).endTime).toBeInstanceOf(Date);
    expect(
      await lifecycle.record(application.id, {
        type: 'clusterStatusChanged',
        clusterId: 'c',
        status: 'STOPPING',
        message: 'late',
        jobmanagerAddress: '',
      }),
    ).toBe(false);
    expect(await events.read(application.id, 0, 10)).toHaveLength(1);
    await vi.waitFor(() =>
      expect(onEnded).toHaveBeenCalledWith(expect.objectContaining({ id: application.id, status: 'FAILED' })),
    );
  });

  it('records an event together with changes to the application', async () => {
    const { lifecycle, application, applications } = await setUp();
    await lifecycle.record(
      application.id,
      { type: 'jobStatusChanged', jobId: 'job-9', jobName: 'x', status: 'CREATED', livingPriority: 'NORMAL' },
      { jobIds: ['job-9'] },
    );
    expect(await applications.get(application.id)).toMatchObject({ jobIds: ['job-9'], lastEventSequence: 1 });
  });
});
