import { describe, expect, it, vi } from 'vitest';
import { silentLogger, testApplication, testState } from '../testing/testState.js';
import { ApplicationLifecycle } from './ApplicationLifecycle.js';

function setUp() {
  const state = testState();
  const onEnded = vi.fn();
  const lifecycle = new ApplicationLifecycle({
    db: state.db,
    applications: state.applications,
    log: state.log,
    logger: silentLogger,
    publisher: {
      publish: (event) => {
        if (event.type === 'applicationEnded') onEnded(event.application);
      },
    },
  });
  const application = testApplication();
  state.applications.insert(application);
  return { ...state, lifecycle, onEnded, application };
}

describe('ApplicationLifecycle', () => {
  it('writes a status change and its event together, and only allowed changes', () => {
    const { lifecycle, application, applications, events } = setUp();
    expect(lifecycle.changeStatus(application.id, 'RUNNING', { message: 'driver accepted' })).toBe(true);
    expect(lifecycle.changeStatus(application.id, 'RUNNING', { message: 'again' })).toBe(false);
    expect(lifecycle.changeStatus(application.id, 'DEPLOYING', { message: 'back' })).toBe(false);
    expect(applications.get(application.id)).toMatchObject({ status: 'RUNNING', lastEventSequence: 1 });
    expect(events.read(application.id, 0, 10).map((event) => event.kind)).toEqual([
      { type: 'applicationStatusChanged', status: 'RUNNING', message: 'driver accepted' },
    ]);
  });

  it('records the end with its time and failure, keeps the terminal event last, and reports the end after commit', async () => {
    const { lifecycle, application, applications, events, onEnded } = setUp();
    const failure = { name: 'DriverLostError', message: 'lost', stack: '' };
    lifecycle.changeStatus(application.id, 'FAILED', { message: 'the driver was lost', failure });
    expect(applications.get(application.id)).toMatchObject({ status: 'FAILED', failure });
    expect(applications.get(application.id).endTime).toBeInstanceOf(Date);
    expect(
      lifecycle.record(application.id, {
        type: 'clusterStatusChanged',
        clusterId: 'c',
        status: 'STOPPING',
        message: 'late',
        jobmanagerAddress: '',
      }),
    ).toBe(false);
    expect(events.read(application.id, 0, 10)).toHaveLength(1);
    expect(onEnded).not.toHaveBeenCalled();
    await new Promise((resolve) => setImmediate(resolve));
    expect(onEnded).toHaveBeenCalledWith(expect.objectContaining({ id: application.id, status: 'FAILED' }));
  });

  it('records an event together with changes to the application', () => {
    const { lifecycle, application, applications } = setUp();
    lifecycle.record(
      application.id,
      { type: 'jobStatusChanged', jobId: 'job-9', jobName: 'x', status: 'CREATED', livingPriority: 'NORMAL' },
      { jobIds: ['job-9'] },
    );
    expect(applications.get(application.id)).toMatchObject({ jobIds: ['job-9'], lastEventSequence: 1 });
  });
});
