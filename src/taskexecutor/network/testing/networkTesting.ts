/** Helpers for the data-exchange tests: batches that say where they came from, and bounded waits. */
import { deserialize, serialize } from 'node:v8';
import type { NetworkBatch } from '../NetworkBatch.js';
import type { InputGate } from '../InputGate.js';

/** A batch of one record `[producer, sequence]`, v8-serialized like the data path's batches. */
export function batchOf(producer: string, sequence: number): NetworkBatch {
  return { count: 1, payload: serialize([producer, sequence]) };
}

/** The record of a {@link batchOf} batch. */
export function recordOf(batch: NetworkBatch): [string, number] {
  return deserialize(batch.payload) as [string, number];
}

/** Emits `count` batches to every subpartition in turn, awaiting each emit, then finishes. */
export async function produce(
  partition: {
    emit(subpartition: number, batch: NetworkBatch): Promise<void>;
    finish(): void;
    numberOfSubpartitions: number;
  },
  producer: string,
  count: number,
): Promise<void> {
  for (let sequence = 0; sequence < count; sequence++) {
    for (let subpartition = 0; subpartition < partition.numberOfSubpartitions; subpartition++) {
      await partition.emit(subpartition, batchOf(`${producer}#${subpartition}`, sequence));
    }
  }
  partition.finish();
}

/** Reads a gate to its end, recycling every batch; returns the records per channel. */
export async function drain(gate: InputGate): Promise<Array<Array<[string, number]>>> {
  const records: Array<Array<[string, number]>> = Array.from({ length: gate.numberOfChannels }, () => []);
  for (let next = await gate.next(); next; next = await gate.next()) {
    records[next.channelIndex].push(recordOf(next.batch));
    gate.recycle(next.channelIndex);
  }
  return records;
}

/** The records `[producer, 0..count-1]`. */
export function sequence(producer: string, count: number): Array<[string, number]> {
  return Array.from({ length: count }, (_, index) => [producer, index]);
}

/** Waits until `condition` holds, checking every few milliseconds; throws after `timeoutMs`. */
export async function eventually(condition: () => boolean, timeoutMs = 5000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Whether `promise` is still pending after `graceMs` (a bounded wait, not a timing assertion). */
export async function stillPending(promise: Promise<unknown>, graceMs = 100): Promise<boolean> {
  const pending = Symbol('pending');
  const guarded = promise.then(
    (value) => value,
    () => 'rejected',
  );
  const result = await Promise.race([guarded, new Promise((resolve) => setTimeout(() => resolve(pending), graceMs))]);
  return result === pending;
}
