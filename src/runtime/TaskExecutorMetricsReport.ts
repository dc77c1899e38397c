/**
 * What a task executor reports with its heartbeats for the job manager's metrics (README,
 * "Metrics"): the bytes and records its tasks received through input channels, over the network
 * and locally, and the memory of the drivers it runs against their limits. The counts only grow
 * while the task executor lives; the job manager publishes the latest report of each.
 */

/** What crossed input channels of one kind. */
export interface ExchangeCount {
  records: number;
  bytes: number;
}

/** One driver's memory as its worker measured it last, and the limits it runs with (bytes; a limit of 0 is none). */
export interface DriverMemoryReport {
  jobId: string;
  applicationId: string;
  heapUsedBytes: number;
  directUsedBytes: number;
  nativeUsedBytes: number;
  heapLimitBytes: number;
  directLimitBytes: number;
  nativeLimitBytes: number;
}

/** One heartbeat's report. */
export interface TaskExecutorMetricsReport {
  /** From producers in other task executors (the network exchange). */
  networkExchange: ExchangeCount;
  /** From producers in the same task executor (local channels). */
  localExchange: ExchangeCount;
  /** Drivers running, and those that ended lately with their last sample. */
  drivers: DriverMemoryReport[];
}
