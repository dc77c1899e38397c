/**
 * The Prometheus adapter of the {@link Metrics} port: each metric a component declares becomes a
 * prom-client metric in a registry of this process's own, which the metrics endpoint
 * (metricsEndpoint.ts) serves in Prometheus' text format. Only this adapter knows prom-client.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type {
  CollectedGaugeSpec,
  Counter as CounterPort,
  Gauge as GaugePort,
  Histogram as HistogramPort,
  HistogramSpec,
  MetricLabels,
  MetricSpec,
  Metrics,
} from '../../common/metrics.js';

/** The metrics of one process, with the registry that serves them. */
export interface PrometheusMetrics extends Metrics {
  /** The metrics in Prometheus' text format. */
  scrape(): Promise<string>;
  /** The content type of {@link scrape}'s text. */
  readonly contentType: string;
}

/** Creates the metrics of one process. */
export function prometheusMetrics(): PrometheusMetrics {
  const registry = new Registry();
  const common = (spec: MetricSpec) => ({
    name: spec.name,
    help: spec.help,
    labelNames: [...(spec.labelNames ?? [])],
    registers: [registry],
  });
  return {
    contentType: registry.contentType,
    scrape: () => registry.metrics(),
    counter(spec: MetricSpec): CounterPort {
      const counter = new Counter(common(spec));
      return { inc: (labels?: MetricLabels, amount = 1) => counter.inc({ ...labels }, amount) };
    },
    gauge(spec: MetricSpec): GaugePort {
      const gauge = new Gauge(common(spec));
      return {
        set: (labels, value) => gauge.set({ ...labels }, value),
        inc: (labels, amount = 1) => gauge.inc({ ...labels }, amount),
        dec: (labels, amount = 1) => gauge.dec({ ...labels }, amount),
      };
    },
    collectedGauge(spec: CollectedGaugeSpec): void {
      new Gauge({
        ...common(spec),
        async collect() {
          const samples = await spec.collect();
          // Series that are gone (a status no application has any more) are dropped, not left at their last value.
          this.reset();
          for (const { labels, value } of samples) this.set({ ...labels }, value);
        },
      });
    },
    collectedCounter(spec: CollectedGaugeSpec): void {
      new Counter({
        ...common(spec),
        async collect() {
          const samples = await spec.collect();
          // Totals another process keeps: each scrape shows the latest it reported.
          this.reset();
          for (const { labels, value } of samples) this.inc({ ...labels }, value);
        },
      });
    },
    histogram(spec: HistogramSpec): HistogramPort {
      const histogram = new Histogram({ ...common(spec), buckets: [...spec.buckets] });
      return { observe: (labels, value) => histogram.observe({ ...labels }, value) };
    },
  };
}
