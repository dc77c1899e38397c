import { describe, expect, it } from 'vitest';
import { NotFoundError, UnavailableError } from '../../common/errors.js';
import type { JobEvent } from '../../runtime/JobEvent.js';
import { SimulatedJobManager } from './SimulatedJobManager.js';
import { compileSimulationScript } from './SimulationScript.js';

const driver = (applicationId: string, requestId?: string) => ({
  applicationId,
  applicationName: 'etl',
  jobName: 'etl: driver',
  livingPriority: 'DRIVER' as const,
  requestId,
  vertices: [{ id: 'driver', name: 'Driver', parallelism: 1 }],
});

function jobManager(script: Parameters<typeof compileSimulationScript>[0] = {}) {
  return new SimulatedJobManager({
    address: 'cluster-1.simulated:1',
    taskExecutors: 1,
    script: compileSimulationScript({ eventIntervalMs: 0, ...script }),
  });
}

/** The events of the cluster until `until` holds for one of them (the watch is then stopped). */
async function eventsUntil(manager: SimulatedJobManager, until: (event: JobEvent) => boolean): Promise<JobEvent[]> {
  const controller = new AbortController();
  const events: JobEvent[] = [];
  for await (const event of manager.watchEvents(0, controller.signal)) {
    events.push(event);
    if (until(event)) break;
  }
  controller.abort();
  return events;
}

const applicationEnded = (event: JobEvent) =>
  event.kind.type === 'applicationStatusChanged' && ['FINISHED', 'CANCELED', 'FAILED'].includes(event.kind.status);

/** A readable line per event: "job <name> STATUS", "task <vertex>/<index> STATE", "application STATUS". */
function describe_(event: JobEvent): string {
  const { kind } = event;
  if (kind.type === 'jobStatusChanged') return `job ${kind.jobName} ${kind.status}`;
  if (kind.type === 'taskStateChanged') return `task ${kind.vertexId}/${kind.subtaskIndex} ${kind.state}`;
  return `application ${kind.status}`;
}

describe('SimulatedJobManager', () => {
  it('plays a driver-mode application: the driver runs, submits its jobs one after the other, and the application ends FINISHED', async () => {
    const manager = jobManager({ jobsPerApplication: 1, tasksPerJob: 2 });
    const driverJobId = manager.submit(driver('app-1'));
    const events = await eventsUntil(manager, applicationEnded);
    expect(events.map(describe_)).toEqual([
      'job etl: driver CREATED',
      'job etl: driver RUNNING',
      'task driver/0 SCHEDULED',
      'task driver/0 DEPLOYING',
      'task driver/0 INITIALIZING',
      'task driver/0 RUNNING',
      'application RUNNING',
      'job etl: simulated job 1 CREATED',
      'job etl: simulated job 1 RUNNING',
      'task simulated/0 SCHEDULED',
      'task simulated/1 SCHEDULED',
      'task simulated/0 DEPLOYING',
      'task simulated/1 DEPLOYING',
      'task simulated/0 INITIALIZING',
      'task simulated/1 INITIALIZING',
      'task simulated/0 RUNNING',
      'task simulated/1 RUNNING',
      'task simulated/0 FINISHED',
      'task simulated/1 FINISHED',
      'job etl: simulated job 1 FINISHED',
      'task driver/0 FINISHED',
      'job etl: driver FINISHED',
      'application FINISHED',
    ]);
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
    expect(new Set(events.map((event) => event.applicationId))).toEqual(new Set(['app-1']));
    const normal = events.find(
      (event) => event.kind.type === 'jobStatusChanged' && event.kind.livingPriority === 'NORMAL',
    );
    expect(normal?.kind).toMatchObject({ livingPriority: 'NORMAL' });
    // The application's status is reported on the driver job, as the real Dispatcher does.
    expect(events.at(-1)?.jobId).toBe(driverJobId);
    expect(await manager.result(driverJobId)).toMatchObject({ jobId: driverJobId, status: 'FINISHED' });
    const output = [];
    for await (const chunk of manager.readOutput(driverJobId, 0, true)) output.push(chunk.data.toString());
    expect(output.join('')).toBe('main() of application app-1 runs on a simulated cluster (no process)\n');
  });

  it('answers a repeated request id with the first job', () => {
    const manager = jobManager({ eventIntervalMs: 1000 });
    const first = manager.submit(driver('app-1', 'app-1/driver'));
    expect(manager.submit(driver('app-1', 'app-1/driver'))).toBe(first);
    expect(manager.submit(driver('app-2', 'app-2/driver'))).not.toBe(first);
    manager.shutDown('test over');
  });

  it('cancels a driver with every job it submitted, then the application', async () => {
    const manager = jobManager({ jobsPerApplication: 1, tasksPerJob: 1 });
    const driverJobId = manager.submit(driver('app-1'));
    // Cancel once the driver's job runs, so that there is something to cancel.
    await eventsUntil(
      manager,
      (event) =>
        event.kind.type === 'jobStatusChanged' &&
        event.kind.livingPriority === 'NORMAL' &&
        event.kind.status === 'RUNNING',
    );
    manager.cancel(driverJobId);
    const events = await eventsUntil(manager, applicationEnded);
    const after = events.slice(
      events.findIndex((event) => event.kind.type === 'jobStatusChanged' && event.kind.status === 'CANCELLING'),
    );
    // Whether the job's own task had started by then depends on the turn; the rest is fixed.
    expect(after.map(describe_).filter((line) => !line.startsWith('task simulated/'))).toEqual([
      'job etl: simulated job 1 CANCELLING',
      'job etl: simulated job 1 CANCELED',
      'job etl: driver CANCELLING',
      'task driver/0 CANCELED',
      'job etl: driver CANCELED',
      'application CANCELED',
    ]);
    expect((await manager.result(driverJobId)).status).toBe('CANCELED');
    // Cancelling an ended job changes nothing.
    manager.cancel(driverJobId);
    expect(manager.overview()).toEqual({ taskExecutors: 1, registered: [{ id: 'taskexecutor-0' }] });
  });

  it('runs a NORMAL job to its end and a DAEMON job until it is cancelled', async () => {
    const manager = jobManager();
    const normal = manager.submit({
      applicationId: 'app-1',
      applicationName: 'etl',
      jobName: 'etl: count',
      livingPriority: 'NORMAL',
      vertices: [{ id: 'v', name: 'V', parallelism: 1 }],
    });
    expect(await manager.result(normal)).toMatchObject({ status: 'FINISHED' });
    const daemon = manager.submit({
      applicationId: 'app-1',
      applicationName: 'etl',
      jobName: 'etl: watch',
      livingPriority: 'DAEMON',
      vertices: [{ id: 'v', name: 'V', parallelism: 1 }],
    });
    const running = await eventsUntil(
      manager,
      (event) => event.kind.type === 'taskStateChanged' && event.jobId === daemon && event.kind.state === 'RUNNING',
    );
    expect(
      running.some(
        (event) => event.jobId === daemon && event.kind.type === 'jobStatusChanged' && isEnded(event.kind.status),
      ),
    ).toBe(false);
    manager.cancel(daemon);
    expect(await manager.result(daemon)).toMatchObject({ status: 'CANCELED' });
  });

  it('after a shutdown ends watches and answers every call UNAVAILABLE; an unknown job is NOT_FOUND', async () => {
    const manager = jobManager({ eventIntervalMs: 1000 });
    const driverJobId = manager.submit(driver('app-1'));
    expect(() => manager.cancel('job-unknown')).toThrow(NotFoundError);
    const watching = eventsUntil(manager, () => false);
    manager.shutDown('the application ended');
    await expect(watching).rejects.toThrow(UnavailableError);
    await expect(watching).rejects.toThrow(
      'the simulated job manager at cluster-1.simulated:1 was shut down: the application ended',
    );
    expect(() => manager.submit(driver('app-2'))).toThrow(UnavailableError);
    expect(() => manager.overview()).toThrow(UnavailableError);
    // Its jobs were cancelled on the way down.
    expect((await manager.result(driverJobId)).status).toBe('CANCELED');
  });
});

function isEnded(status: string): boolean {
  return ['FINISHED', 'CANCELED', 'FAILED'].includes(status);
}
