/**
 * What a job manager publishes as metrics (README, "Metrics"), declared over the {@link Metrics}
 * port: the Dispatcher tells it when jobs restart and end; jobs running, slots and task executors
 * are read from the Dispatcher and the resource manager when metrics are scraped; the bytes and
 * records task executors exchanged and their drivers' memory are the latest each reported with its
 * heartbeat.
 */
import { SLOW_SECONDS_BUCKETS, type Counter, type Histogram, type Metrics } from '../common/metrics.js';
import type { JobStatus, LivingPriority } from '../common/status.js';
import type { DriverMemoryReport, TaskExecutorMetricsReport } from '../runtime/TaskExecutorMetricsReport.js';

/** How many drivers' last memory samples are kept after they ended, newest first, so series stay bounded. */
export const KEPT_DRIVER_SAMPLES = 100;

/** What the scrape-time gauges read. */
export interface JobManagerGauges {
  /** Jobs that have not reached a terminal status. */
  runningJobs(): number;
  /** Slots registered task executors offer, and how many of them are free. */
  slotCounts(): { total: number; available: number };
  /** Task executors registered now. */
  registeredTaskExecutors(): number;
}

/** A job manager's metrics. */
export class JobManagerMetrics {
  private readonly durations: Histogram;
  private readonly restarts: Counter;
  /** The latest report of each task executor that sent one. */
  private readonly reports = new Map<string, TaskExecutorMetricsReport>();
  /** The latest memory sample of each driver job, in the order they were last reported. */
  private readonly drivers = new Map<string, DriverMemoryReport>();

  constructor(metrics: Metrics, gauges: JobManagerGauges) {
    this.durations = metrics.histogram({
      name: 'flotilla_job_duration_seconds',
      help: 'How long jobs ran, from submission to their terminal status, by that status and the job\'s living priority (driver jobs are "DRIVER").',
      labelNames: ['status', 'priority'],
      buckets: SLOW_SECONDS_BUCKETS,
    });
    this.restarts = metrics.counter({
      name: 'flotilla_job_restarts_total',
      help: 'Times a job was restarted after a failure (its restart strategy allowed it).',
      labelNames: ['priority'],
    });
    metrics.collectedGauge({
      name: 'flotilla_jobs_running',
      help: 'Jobs submitted to this job manager that have not reached a terminal status.',
      collect: () => [{ value: gauges.runningJobs() }],
    });
    metrics.collectedGauge({
      name: 'flotilla_task_slots',
      help: 'Slots offered by registered task executors: "total", and "free" ones no task holds.',
      labelNames: ['state'],
      collect: () => {
        const { total, available } = gauges.slotCounts();
        return [
          { labels: { state: 'total' }, value: total },
          { labels: { state: 'free' }, value: available },
        ];
      },
    });
    metrics.collectedGauge({
      name: 'flotilla_task_executors_registered',
      help: 'Task executors registered with this job manager now.',
      collect: () => [{ value: gauges.registeredTaskExecutors() }],
    });
    this.declareExchange(metrics);
    this.declareDriverMemory(metrics);
  }

  /** A registered task executor's heartbeat brought `report`. */
  taskExecutorReported(taskExecutorId: string, report: TaskExecutorMetricsReport): void {
    this.reports.set(taskExecutorId, report);
    for (const driver of report.drivers) {
      this.drivers.delete(driver.jobId);
      this.drivers.set(driver.jobId, driver);
    }
    for (const jobId of this.drivers.keys()) {
      if (this.drivers.size <= KEPT_DRIVER_SAMPLES) break;
      this.drivers.delete(jobId);
    }
  }

  private declareExchange(metrics: Metrics): void {
    const each = (read: (report: TaskExecutorMetricsReport['networkExchange']) => number) => () =>
      [...this.reports].flatMap(([taskExecutor, report]) => [
        { labels: { task_executor: taskExecutor, channel: 'network' }, value: read(report.networkExchange) },
        { labels: { task_executor: taskExecutor, channel: 'local' }, value: read(report.localExchange) },
      ]);
    metrics.collectedCounter({
      name: 'flotilla_exchanged_bytes_total',
      help: 'Bytes of serialized record batches the tasks of a task executor received from their producers, over the network from other task executors ("network") or within it ("local"), since it started.',
      labelNames: ['task_executor', 'channel'],
      collect: each((count) => count.bytes),
    });
    metrics.collectedCounter({
      name: 'flotilla_exchanged_records_total',
      help: 'Records the tasks of a task executor received from their producers, over the network ("network") or within it ("local"), since it started.',
      labelNames: ['task_executor', 'channel'],
      collect: each((count) => count.records),
    });
  }

  private declareDriverMemory(metrics: Metrics): void {
    const AREAS = [
      ['heap', 'heapUsedBytes', 'heapLimitBytes'],
      ['direct', 'directUsedBytes', 'directLimitBytes'],
      ['native', 'nativeUsedBytes', 'nativeLimitBytes'],
    ] as const;
    metrics.collectedGauge({
      name: 'flotilla_driver_memory_bytes',
      help: 'Memory of a driver job, measured in its worker thread: "heap" (V8 heap used), "direct" (ArrayBuffers and Buffers), "native" (V8 malloc); the last sample, also after the driver ended.',
      labelNames: ['job_id', 'application_id', 'area'],
      collect: () =>
        [...this.drivers.values()].flatMap((driver) =>
          AREAS.map(([area, used]) => ({
            labels: { job_id: driver.jobId, application_id: driver.applicationId, area },
            value: driver[used],
          })),
        ),
    });
    metrics.collectedGauge({
      name: 'flotilla_driver_memory_limit_bytes',
      help: 'The memory limits a driver job runs with, by area as in flotilla_driver_memory_bytes (--driver-heap-memory, --driver-direct-memory, --driver-native-memory); an area without a limit has no series.',
      labelNames: ['job_id', 'application_id', 'area'],
      collect: () =>
        [...this.drivers.values()].flatMap((driver) =>
          AREAS.filter(([, , limit]) => driver[limit] > 0).map(([area, , limit]) => ({
            labels: { job_id: driver.jobId, application_id: driver.applicationId, area },
            value: driver[limit],
          })),
        ),
    });
  }

  /** A job moved to `status`; `startTime` is when it was submitted. */
  jobStatusChanged(status: JobStatus, priority: LivingPriority, startTime: Date): void {
    if (status === 'RESTARTING') this.restarts.inc({ priority });
    if (status === 'FINISHED' || status === 'FAILED' || status === 'CANCELED')
      this.durations.observe({ status, priority }, Math.max(0, Date.now() - startTime.getTime()) / 1000);
  }
}
