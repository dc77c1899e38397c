/**
 * The latest memory sample of each driver a task executor runs, with the limits it runs with, for
 * the heartbeats that carry them to the job manager's metrics. A driver's last sample is still
 * reported for {@link ENDED_DRIVER_KEPT_MS} after it stopped running, so that a short driver's
 * memory reaches the job manager even when it ended between two heartbeats.
 */
import { driverOperatorOf, driverResources } from '../driver/driverOperatorOf.js';
import type { TaskDeploymentDescriptor } from '../runtime/TaskDeploymentDescriptor.js';
import type { DriverMemoryReport } from '../runtime/TaskExecutorMetricsReport.js';
import type { DriverMemorySample } from './task/Task.js';

const MIB = 1024 * 1024;

/** How long the last sample of a driver that stopped running is still reported, in milliseconds. */
export const ENDED_DRIVER_KEPT_MS = 30_000;

/** Drivers' samples by execution attempt. */
export class DriverMemorySamples {
  private readonly samples = new Map<string, { report: DriverMemoryReport; endedAt?: number }>();

  /** Keeps `report` as the latest of the driver attempt `executionAttemptId`. */
  record(executionAttemptId: string, report: DriverMemoryReport): void {
    this.samples.set(executionAttemptId, { report, endedAt: this.samples.get(executionAttemptId)?.endedAt });
  }

  /** The samples to report now: of drivers among `running`, and of those that stopped lately. */
  current(running: ReadonlySet<string>, now = Date.now()): DriverMemoryReport[] {
    const reports: DriverMemoryReport[] = [];
    for (const [attempt, sample] of this.samples) {
      if (!running.has(attempt)) sample.endedAt ??= now;
      if (sample.endedAt !== undefined && now - sample.endedAt > ENDED_DRIVER_KEPT_MS) this.samples.delete(attempt);
      else reports.push(sample.report);
    }
    return reports;
  }
}

/** A driver task's sample as reported: its job and application, and the limits it runs with (driverResources) in bytes. */
export function driverMemoryReport(
  descriptor: TaskDeploymentDescriptor,
  sample: DriverMemorySample,
): DriverMemoryReport {
  const driver = driverOperatorOf(descriptor);
  const limits = driver ? driverResources(driver, descriptor) : descriptor.resources;
  return {
    jobId: descriptor.jobId,
    applicationId: driver?.applicationId ?? '',
    heapUsedBytes: sample.heapUsedBytes,
    directUsedBytes: sample.directUsedBytes,
    nativeUsedBytes: sample.nativeUsedBytes,
    heapLimitBytes: limits.heapMemoryMb * MIB,
    directLimitBytes: limits.directMemoryMb * MIB,
    nativeLimitBytes: limits.nativeMemoryMb * MIB,
  };
}
