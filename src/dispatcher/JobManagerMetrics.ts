/**
 * What a job manager publishes as metrics (README, "Metrics"), declared over the {@link Metrics}
 * port: the Dispatcher tells it when jobs restart and end; jobs running, slots and task executors
 * are read from the Dispatcher and the resource manager when metrics are scraped.
 */
import { SLOW_SECONDS_BUCKETS, type Counter, type Histogram, type Metrics } from '../common/metrics.js';
import type { JobStatus, LivingPriority } from '../common/status.js';

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
  }

  /** A job moved to `status`; `startTime` is when it was submitted. */
  jobStatusChanged(status: JobStatus, priority: LivingPriority, startTime: Date): void {
    if (status === 'RESTARTING') this.restarts.inc({ priority });
    if (status === 'FINISHED' || status === 'FAILED' || status === 'CANCELED')
      this.durations.observe({ status, priority }, Math.max(0, Date.now() - startTime.getTime()) / 1000);
  }
}
