/**
 * The network output of a task, as its worker thread sees it (Flink's RecordWriter): each batch is
 * split per consumer subtask by every outgoing edge's partitioner, serialized, and handed to the
 * main thread, which puts it into the result partition. `emit` waits until every partition took
 * its part, so a full partition (a slow consumer) holds the producer back. At the end, what a
 * partitioner held back (a pre-aggregation's partials) is sent before the outputs finish.
 */
import type { OutputPartitioner } from '../operators/OutputPartitioner.js';
import type { RecordWriter } from '../operators/RecordWriter.js';
import { serializeBatch } from './serializeBatch.js';
import type { WorkerChannel } from './WorkerChannel.js';

/** Sends a chain's output to every outgoing edge. */
export class WorkerOutput implements RecordWriter {
  /** @param partitioners One per output, in the deployment descriptor's order. */
  constructor(
    private readonly channel: WorkerChannel,
    private readonly partitioners: readonly OutputPartitioner[],
  ) {}

  async emit(records: unknown[]): Promise<void> {
    const taken: Promise<void>[] = [];
    for (const [output, partitioner] of this.partitioners.entries())
      this.send(output, partitioner.partition(records), taken);
    await Promise.all(taken);
  }

  async finish(): Promise<void> {
    const taken: Promise<void>[] = [];
    for (const [output, partitioner] of this.partitioners.entries()) this.send(output, partitioner.flush(), taken);
    await Promise.all(taken);
    await Promise.all(this.partitioners.map((_, output) => this.channel.request({ type: 'finishOutput', output })));
  }

  private send(output: number, batches: unknown[][], taken: Promise<void>[]): void {
    for (const [channel, batch] of batches.entries()) {
      if (batch.length === 0) continue;
      const payload = serializeBatch(batch);
      taken.push(this.channel.request({ type: 'emit', output, channel, count: batch.length, payload }, [payload]));
    }
  }
}
