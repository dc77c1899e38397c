/**
 * Counts what a task executor's tasks receive through their input channels, by kind of channel:
 * from producers in other task executors over the network exchange, or from producers in this one
 * through local channels. The job manager publishes the totals (`flotilla_exchanged_bytes_total`,
 * `flotilla_exchanged_records_total`), which the task executor reports with its heartbeats.
 */
import type { ExchangeCount } from '../../runtime/TaskExecutorMetricsReport.js';
import type { InputChannel } from './InputChannel.js';
import type { NetworkBatch } from './NetworkBatch.js';

/** The kinds of input channel. */
export type ChannelKind = 'network' | 'local';

/** Records and bytes received, by kind of channel, since the task executor started. */
export class ExchangeCounters {
  private readonly counts: Record<ChannelKind, ExchangeCount> = {
    network: { records: 0, bytes: 0 },
    local: { records: 0, bytes: 0 },
  };

  /** Counts one batch received through a channel of `kind`. */
  received(kind: ChannelKind, batch: NetworkBatch): void {
    const count = this.counts[kind];
    count.records += batch.count;
    count.bytes += batch.payload.byteLength;
  }

  /** The totals of `kind` now (a copy). */
  of(kind: ChannelKind): ExchangeCount {
    return { ...this.counts[kind] };
  }

  /** `channel`, counting each batch it delivers as received through a channel of `kind`. */
  counting(kind: ChannelKind, channel: InputChannel): InputChannel {
    return {
      descriptor: channel.descriptor,
      start: (listener) =>
        channel.start({
          onBatch: (batch) => {
            this.received(kind, batch);
            listener.onBatch(batch);
          },
          onEndOfPartition: () => listener.onEndOfPartition(),
          onError: (error) => listener.onError(error),
        }),
      addCredit: (credit) => channel.addCredit(credit),
      close: () => channel.close(),
    };
  }
}
