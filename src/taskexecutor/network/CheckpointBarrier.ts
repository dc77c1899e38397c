/**
 * A checkpoint barrier on the data path (Flink's CheckpointBarrier): it travels in-band, as a batch
 * of zero records whose payload names the checkpoint, through the same result subpartitions,
 * credits and channels as the records around it. So a barrier never overtakes a record, it costs a
 * credit like any batch, and back pressure holds it back exactly as it holds back records. No
 * record batch is ever empty (writers skip empty batches), so a zero count marks a barrier.
 */
import { deserialize, serialize } from 'node:v8';
import type { NetworkBatch } from './NetworkBatch.js';

/** The batch that carries the barrier of checkpoint `checkpointId`. */
export function barrierBatch(checkpointId: number): NetworkBatch {
  return { count: 0, payload: serialize({ checkpointId }) };
}

/** The checkpoint id a batch carries when it is a barrier; undefined for a batch of records. */
export function checkpointIdOfBarrier(batch: NetworkBatch): number | undefined {
  if (batch.count !== 0) return undefined;
  const { checkpointId } = deserialize(batch.payload) as { checkpointId: number };
  return checkpointId;
}
