/**
 * Barrier alignment for a task that reads several input channels (Flink's aligned
 * SingleCheckpointBarrierHandler): when the barrier of checkpoint n arrives on a channel, that
 * channel is blocked (what arrives on it after the barrier belongs to after the checkpoint and
 * waits) until the barrier arrived on every channel; then the task snapshots, forwards the barrier
 * and every channel is released. A blocked channel's batches keep their credits until they are
 * processed, so a producer ahead of the others is held back by the credit-based exchange, not by
 * unbounded buffering. A barrier of a newer checkpoint abandons an alignment still under way (the
 * older checkpoint can no longer complete; the job master times it out), and barriers of older
 * checkpoints are ignored.
 */

/** What a barrier did to the alignment. */
export interface BarrierOutcome {
  /** Set when this barrier completed the alignment of that checkpoint: snapshot and forward it now. */
  aligned?: number;
  /** Whether every blocked channel is released (aligned, or an alignment was abandoned). */
  released: boolean;
}

/** Tracks which channels have passed the barrier of the checkpoint being aligned. */
export class CheckpointBarrierAligner {
  private current: number | undefined;
  private readonly blocked = new Set<number>();
  private lastAligned = 0;

  /** @param numberOfChannels How many input channels the task reads. */
  constructor(private readonly numberOfChannels: number) {}

  /** Whether batches of `channel` must wait: its barrier arrived and others' have not. */
  isBlocked(channel: number): boolean {
    return this.blocked.has(channel);
  }

  /** The checkpoint being aligned, if any. */
  get aligningCheckpointId(): number | undefined {
    return this.current;
  }

  /** Takes the barrier of `checkpointId` from `channel`. */
  onBarrier(channel: number, checkpointId: number): BarrierOutcome {
    if (checkpointId <= this.lastAligned) return { released: false };
    if (this.current !== undefined && checkpointId < this.current) return { released: false };
    let released = false;
    if (this.current !== undefined && checkpointId > this.current) {
      this.blocked.clear();
      released = true;
    }
    this.current = checkpointId;
    this.blocked.add(channel);
    if (this.blocked.size < this.numberOfChannels) return { released };
    this.lastAligned = checkpointId;
    this.current = undefined;
    this.blocked.clear();
    return { aligned: checkpointId, released: true };
  }
}
