/**
 * The port through which components publish metrics: counters, gauges and histograms, named and
 * described by the component, without knowing how they are exposed. The Prometheus adapter
 * (src/cli/process/prometheusMetrics.ts) implements it for the processes started with
 * `--metrics-listen`; {@link NO_METRICS} keeps everything else (tests, the mini cluster) free of it.
 */

/** Label values of one series, by label name. */
export type MetricLabels = Readonly<Record<string, string>>;

/** What every metric is declared with. */
export interface MetricSpec {
  /** The metric's name, `flotilla_` first and its unit last (`_seconds`, `_bytes`, `_total`). */
  name: string;
  /** One sentence saying what it counts. */
  help: string;
  /** The names of its labels; none when not given. */
  labelNames?: readonly string[];
}

/** A gauge read when metrics are scraped: `collect` answers the value of each series at that moment. */
export interface CollectedGaugeSpec extends MetricSpec {
  collect(): Promise<readonly MetricSample[]> | readonly MetricSample[];
}

/** One series' value. */
export interface MetricSample {
  labels?: MetricLabels;
  value: number;
}

/** A histogram with its bucket bounds. */
export interface HistogramSpec extends MetricSpec {
  /** Upper bounds of the buckets, ascending, in the metric's unit. */
  buckets: readonly number[];
}

/** A value that only goes up. */
export interface Counter {
  inc(labels?: MetricLabels, amount?: number): void;
}

/** A value that goes up and down. */
export interface Gauge {
  set(labels: MetricLabels | undefined, value: number): void;
  inc(labels?: MetricLabels, amount?: number): void;
  dec(labels?: MetricLabels, amount?: number): void;
}

/** A distribution of observed values. */
export interface Histogram {
  observe(labels: MetricLabels | undefined, value: number): void;
}

/** Where metrics are declared. */
export interface Metrics {
  counter(spec: MetricSpec): Counter;
  gauge(spec: MetricSpec): Gauge;
  /** A gauge whose series are computed when metrics are scraped. */
  collectedGauge(spec: CollectedGaugeSpec): void;
  /**
   * A counter whose series are read when metrics are scraped: totals kept elsewhere (another process
   * reports them) that only grow while their source lives.
   */
  collectedCounter(spec: CollectedGaugeSpec): void;
  histogram(spec: HistogramSpec): Histogram;
}

const NOTHING = { inc() {}, dec() {}, set() {}, observe() {} };

/** Metrics that go nowhere: what a component publishes to when no metrics endpoint was asked for. */
export const NO_METRICS: Metrics = {
  counter: () => NOTHING,
  gauge: () => NOTHING,
  collectedGauge() {},
  collectedCounter() {},
  histogram: () => NOTHING,
};

/** Bucket bounds in seconds for things that take from a millisecond to a few seconds (RPCs, deliveries). */
export const FAST_SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** Bucket bounds in seconds for things that take from a tenth of a second to an hour (deployments, jobs). */
export const SLOW_SECONDS_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const;
