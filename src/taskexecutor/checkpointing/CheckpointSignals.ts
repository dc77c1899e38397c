/**
 * What reaches a running pipeline from its job master while it runs: the triggers of a source
 * task's checkpoints (a stop-with-savepoint's flagged `stop`) and the news that a checkpoint
 * completed. The worker's message handler pushes them; the pipeline waits on triggers between
 * source reads, hands completions to its sink, and a stopping source waits for its savepoint's.
 */

/** A source task is to start a checkpoint. */
export interface CheckpointTrigger {
  checkpointId: number;
  /** Stop-with-savepoint: stop the source after this checkpoint's barrier, finish once it completed. */
  stop: boolean;
}

/** Checkpoint triggers and completions for one task run. */
export class CheckpointSignals {
  private readonly triggers: CheckpointTrigger[] = [];
  private wake: (() => void) | undefined;
  private completionListener: ((checkpointId: number) => void) | undefined;
  private readonly early: number[] = [];
  private latestCompleted = 0;
  private completionWaiters: Array<() => void> = [];

  /** A source task is to start checkpoint `checkpointId`. */
  trigger(checkpointId: number, stop = false): void {
    this.triggers.push({ checkpointId, stop });
    this.wake?.();
    this.wake = undefined;
  }

  /** Resolves with the next trigger. */
  async nextTrigger(): Promise<CheckpointTrigger> {
    while (this.triggers.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.triggers.shift() as CheckpointTrigger;
  }

  /** Checkpoint `checkpointId` completed. */
  complete(checkpointId: number): void {
    this.latestCompleted = Math.max(this.latestCompleted, checkpointId);
    for (const waiter of this.completionWaiters.splice(0)) waiter();
    if (this.completionListener) this.completionListener(checkpointId);
    else this.early.push(checkpointId);
  }

  /** Resolves once checkpoint `checkpointId` (or a later one) completed. */
  async completed(checkpointId: number): Promise<void> {
    while (this.latestCompleted < checkpointId)
      await new Promise<void>((resolve) => this.completionWaiters.push(resolve));
  }

  /** Calls `listener` with every completion, those that arrived before it was set first. */
  onComplete(listener: (checkpointId: number) => void): void {
    this.completionListener = listener;
    for (const checkpointId of this.early.splice(0)) listener(checkpointId);
  }
}
