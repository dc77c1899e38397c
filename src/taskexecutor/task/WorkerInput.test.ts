import { describe, expect, it } from 'vitest';
import type { InputElement } from '../checkpointing/CheckpointBarrierEvent.js';
import { serializeBatch } from './serializeBatch.js';
import { WorkerInput } from './WorkerInput.js';

const batch = (channel: number, ...records: unknown[]) => ({ channel, payload: serializeBatch(records) });

async function readAll(input: WorkerInput): Promise<InputElement[]> {
  const out: InputElement[] = [];
  for await (const element of input) out.push(element);
  return out;
}

describe('WorkerInput', () => {
  it('holds back what a channel sends after its barrier until every channel’s barrier came', async () => {
    const recycled: number[] = [];
    const input = new WorkerInput((channel) => recycled.push(channel), 2);
    input.push(batch(0, 'a1'));
    input.push({ channel: 0, barrier: 1 });
    input.push(batch(0, 'a2')); // after channel 0's barrier: waits
    input.push(batch(1, 'b1')); // before channel 1's barrier: goes first
    input.push({ channel: 1, barrier: 1 });
    input.push(batch(1, 'b2'));
    input.push({ end: true });
    expect(await readAll(input)).toEqual([['a1'], ['b1'], { checkpointId: 1 }, ['a2'], ['b2']]);
    // Every batch is recycled once processed (barriers are recycled by the main thread).
    expect(recycled.sort()).toEqual([0, 0, 1, 1]);
  });

  it('passes a barrier of a single channel straight through, between the batches around it', async () => {
    const input = new WorkerInput(() => undefined, 1);
    input.push(batch(0, 1, 2));
    input.push({ channel: 0, barrier: 4 });
    input.push(batch(0, 3));
    input.push({ end: true });
    expect(await readAll(input)).toEqual([[1, 2], { checkpointId: 4 }, [3]]);
  });
});
