/**
 * What the control plane publishes as metrics (README, "Metrics"), declared once over the
 * {@link Metrics} port and told by the parts that see each thing happen: the gRPC adapter
 * (submissions, watchers, delivery), the event log (events appended) and cluster deployments.
 * The applications by status and mode are counted in the state database when metrics are scraped.
 */
import {
  FAST_SECONDS_BUCKETS,
  SLOW_SECONDS_BUCKETS,
  type Counter,
  type Gauge,
  type Histogram,
  type Metrics,
} from '../../common/metrics.js';
import type { DeploymentOutcome } from '../clusters/ClusterDeployments.js';
import type { ApplicationEvent } from '../model/ApplicationEvent.js';
import type { Application } from '../model/Application.js';

/** Counts of applications by tenant, status and mode. */
export type ApplicationCounts = () => Promise<
  readonly { tenant: string; status: string; mode: string; count: number }[]
>;

/** The control plane's metrics. */
export class ControlPlaneMetrics {
  private readonly submissions: Counter;
  private readonly submissionSeconds: Histogram;
  private readonly eventsAppended: Counter;
  private readonly watchers: Gauge;
  private readonly deliveryLag: Histogram;
  private readonly deploySeconds: Histogram;

  constructor(metrics: Metrics) {
    this.submissions = metrics.counter({
      name: 'flotilla_application_submissions_total',
      help: 'Applications accepted by RunApplication (a retry answered with the first application is not counted again).',
      labelNames: ['mode', 'tenant'],
    });
    this.submissionSeconds = metrics.histogram({
      name: 'flotilla_application_submission_duration_seconds',
      help: 'How long RunApplication took until the application was accepted (recorded, not yet running).',
      labelNames: ['mode'],
      buckets: FAST_SECONDS_BUCKETS,
    });
    this.eventsAppended = metrics.counter({
      name: 'flotilla_application_events_appended_total',
      help: "Events appended to applications' event logs (what WatchApplication streams), by kind.",
      labelNames: ['type'],
    });
    this.watchers = metrics.gauge({
      name: 'flotilla_application_watchers',
      help: 'WatchApplication streams open now.',
    });
    this.deliveryLag = metrics.histogram({
      name: 'flotilla_application_event_delivery_lag_seconds',
      help: 'From an event being recorded to its being handed to a watcher, for events recorded while the watch was open.',
      buckets: FAST_SECONDS_BUCKETS,
    });
    this.deploySeconds = metrics.histogram({
      name: 'flotilla_cluster_deploy_duration_seconds',
      help: 'How long deploying a cluster took until it ran (outcome "running"), failed or was stopped.',
      labelNames: ['outcome'],
      buckets: SLOW_SECONDS_BUCKETS,
    });
  }

  /** Publishes the applications by status and mode, counted by `counts` at each scrape. */
  static withApplicationCounts(metrics: Metrics, counts: ApplicationCounts): ControlPlaneMetrics {
    metrics.collectedGauge({
      name: 'flotilla_applications',
      help: 'Applications the control plane holds, by tenant, status and mode (compacted ones included).',
      labelNames: ['tenant', 'status', 'mode'],
      async collect() {
        return (await counts()).map(({ tenant, status, mode, count }) => ({
          labels: { tenant, status, mode },
          value: count,
        }));
      },
    });
    return new ControlPlaneMetrics(metrics);
  }

  /** RunApplication accepted `application` after `seconds`. */
  submitted(application: Application, seconds: number): void {
    this.submissions.inc({ mode: application.mode, tenant: application.tenant });
    this.submissionSeconds.observe({ mode: application.mode }, seconds);
  }

  /** An event was appended to an application's log. */
  appended(event: ApplicationEvent): void {
    this.eventsAppended.inc({ type: event.kind.type });
  }

  /** A watch opened; call the returned function when it closes. */
  watchOpened(): () => void {
    this.watchers.inc();
    let open = true;
    return () => {
      if (open) this.watchers.dec();
      open = false;
    };
  }

  /** A watcher opened at `watchStart` is handed `event` now. */
  delivered(event: ApplicationEvent, watchStart: number): void {
    const recorded = event.time.getTime();
    if (recorded >= watchStart) this.deliveryLag.observe(undefined, Math.max(0, Date.now() - recorded) / 1000);
  }

  /** A cluster's deployment ended after `seconds`. */
  clusterDeployed(outcome: DeploymentOutcome, seconds: number): void {
    this.deploySeconds.observe({ outcome }, seconds);
  }
}
