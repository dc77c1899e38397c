/**
 * What reaches a running pipeline from its job master while it runs: the triggers of a source
 * task's checkpoints and the news that a checkpoint completed. The worker's message handler
 * pushes them; the pipeline waits on triggers between source reads and hands completions to
 * its sink.
 */

/** Checkpoint triggers and completions for one task run. */
export class CheckpointSignals {
  private readonly triggers: number[] = [];
  private wake: (() => void) | undefined;
  private completionListener: ((checkpointId: number) => void) | undefined;
  private readonly early: number[] = [];

  /** A source task is to start checkpoint `checkpointId`. */
  trigger(checkpointId: number): void {
    this.triggers.push(checkpointId);
    this.wake?.();
    this.wake = undefined;
  }

  /** Resolves with the next trigger. */
  async nextTrigger(): Promise<number> {
    while (this.triggers.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.triggers.shift() as number;
  }

  /** Checkpoint `checkpointId` completed. */
  complete(checkpointId: number): void {
    if (this.completionListener) this.completionListener(checkpointId);
    else this.early.push(checkpointId);
  }

  /** Calls `listener` with every completion, those that arrived before it was set first. */
  onComplete(listener: (checkpointId: number) => void): void {
    this.completionListener = listener;
    for (const checkpointId of this.early.splice(0)) listener(checkpointId);
  }
}
