/** Converts a task executor's metrics report between its proto message and the domain report. */
import type {
  ExchangeCount as ExchangeCountMessage,
  TaskExecutorMetrics,
} from '../../../generated/flotilla/v1/dispatcher_service.js';
import { toSafeNumber } from '../../rpc/longs.js';
import type { ExchangeCount, TaskExecutorMetricsReport } from '../TaskExecutorMetricsReport.js';

/** The report as its message. */
export function taskExecutorMetricsToMessage(report: TaskExecutorMetricsReport): TaskExecutorMetrics {
  const count = ({ records, bytes }: ExchangeCount) => ({ records: BigInt(records), bytes: BigInt(bytes) });
  return {
    networkExchange: count(report.networkExchange),
    localExchange: count(report.localExchange),
    drivers: report.drivers.map((driver) => ({
      jobId: driver.jobId,
      applicationId: driver.applicationId,
      heapUsedBytes: BigInt(driver.heapUsedBytes),
      directUsedBytes: BigInt(driver.directUsedBytes),
      nativeUsedBytes: BigInt(driver.nativeUsedBytes),
      heapLimitBytes: BigInt(driver.heapLimitBytes),
      directLimitBytes: BigInt(driver.directLimitBytes),
      nativeLimitBytes: BigInt(driver.nativeLimitBytes),
    })),
  };
}

/** The message as a report; undefined when the task executor sent none. Counts past 2^53 are INVALID_ARGUMENT. */
export function taskExecutorMetricsFromMessage(
  message: TaskExecutorMetrics | undefined,
): TaskExecutorMetricsReport | undefined {
  if (!message) return undefined;
  const count = (exchange: ExchangeCountMessage | undefined, field: string): ExchangeCount => ({
    records: toSafeNumber(exchange?.records ?? 0n, `metrics.${field}.records`),
    bytes: toSafeNumber(exchange?.bytes ?? 0n, `metrics.${field}.bytes`),
  });
  return {
    networkExchange: count(message.networkExchange, 'network_exchange'),
    localExchange: count(message.localExchange, 'local_exchange'),
    drivers: message.drivers.map((driver) => ({
      jobId: driver.jobId,
      applicationId: driver.applicationId,
      heapUsedBytes: toSafeNumber(driver.heapUsedBytes, 'metrics.drivers.heap_used_bytes'),
      directUsedBytes: toSafeNumber(driver.directUsedBytes, 'metrics.drivers.direct_used_bytes'),
      nativeUsedBytes: toSafeNumber(driver.nativeUsedBytes, 'metrics.drivers.native_used_bytes'),
      heapLimitBytes: toSafeNumber(driver.heapLimitBytes, 'metrics.drivers.heap_limit_bytes'),
      directLimitBytes: toSafeNumber(driver.directLimitBytes, 'metrics.drivers.direct_limit_bytes'),
      nativeLimitBytes: toSafeNumber(driver.nativeLimitBytes, 'metrics.drivers.native_limit_bytes'),
    })),
  };
}
