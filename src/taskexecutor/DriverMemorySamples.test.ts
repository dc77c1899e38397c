import { describe, expect, it } from 'vitest';
import type { TaskDeploymentDescriptor } from '../runtime/TaskDeploymentDescriptor.js';
import { DriverMemorySamples, ENDED_DRIVER_KEPT_MS, driverMemoryReport } from './DriverMemorySamples.js';

const MIB = 1024 * 1024;

const report = (jobId: string, heapUsedBytes: number) => ({
  jobId,
  applicationId: 'app-1',
  heapUsedBytes,
  directUsedBytes: 0,
  nativeUsedBytes: 0,
  heapLimitBytes: 512 * MIB,
  directLimitBytes: 0,
  nativeLimitBytes: 0,
});

describe('DriverMemorySamples', () => {
  it('reports the latest sample of each running driver, and of one that stopped for 30 s after', () => {
    const samples = new DriverMemorySamples();
    samples.record('attempt-a', report('job-a', 1));
    samples.record('attempt-a', report('job-a', 2));
    samples.record('attempt-b', report('job-b', 3));
    expect(samples.current(new Set(['attempt-a', 'attempt-b']), 1000)).toEqual([
      report('job-a', 2),
      report('job-b', 3),
    ]);
    // b stopped: still reported until ENDED_DRIVER_KEPT_MS after it was first seen stopped, then never again.
    expect(samples.current(new Set(['attempt-a']), 2000)).toEqual([report('job-a', 2), report('job-b', 3)]);
    expect(samples.current(new Set(['attempt-a']), 2000 + ENDED_DRIVER_KEPT_MS)).toEqual([
      report('job-a', 2),
      report('job-b', 3),
    ]);
    expect(samples.current(new Set(['attempt-a']), 2001 + ENDED_DRIVER_KEPT_MS)).toEqual([report('job-a', 2)]);
    expect(samples.current(new Set(['attempt-a', 'attempt-b']), 2002 + ENDED_DRIVER_KEPT_MS)).toEqual([
      report('job-a', 2),
    ]);
  });

  it("reports a driver's limits in bytes: the driver operator's own, else the task's resources", () => {
    const descriptor = {
      jobId: 'job-d',
      resources: { cpus: 1, heapMemoryMb: 256, directMemoryMb: 32, nativeMemoryMb: 0 },
      operators: [
        {
          kind: 'driver',
          name: 'Driver',
          applicationId: 'app-d',
          resources: { cpus: 0, heapMemoryMb: 300, directMemoryMb: 0, nativeMemoryMb: 0 },
        },
      ],
    } as unknown as TaskDeploymentDescriptor;
    expect(driverMemoryReport(descriptor, { heapUsedBytes: 5 * MIB, directUsedBytes: 7, nativeUsedBytes: 9 })).toEqual({
      jobId: 'job-d',
      applicationId: 'app-d',
      heapUsedBytes: 5 * MIB,
      directUsedBytes: 7,
      nativeUsedBytes: 9,
      heapLimitBytes: 300 * MIB,
      directLimitBytes: 32 * MIB,
      nativeLimitBytes: 0,
    });
  });
});
