/**
 * Which ended jobs a Dispatcher still keeps (with their results, output and event numbering): the
 * newest `limit` of them, plus any that must outlive the limit for a while: the driver job of an
 * application that has not ended yet, whose application events are still numbered among its own.
 * The oldest ended jobs that nothing holds go first.
 */

/** The ended jobs of a Dispatcher, in the order they ended. */
export class EndedJobs {
  private readonly order: string[] = [];

  /** Keeps at most `limit` ended jobs, beyond those held. */
  constructor(private readonly limit: number) {}

  /** Notes that a job ended. */
  add(jobId: string): void {
    this.order.push(jobId);
  }

  /** Removes and returns the jobs to forget now: the oldest past the limit that `held` does not keep. */
  takeForgettable(held: (jobId: string) => boolean): string[] {
    const forgotten: string[] = [];
    let excess = this.order.length - this.limit;
    for (let index = 0; excess > 0 && index < this.order.length;) {
      if (held(this.order[index])) {
        index++;
        continue;
      }
      forgotten.push(...this.order.splice(index, 1));
      excess--;
    }
    return forgotten;
  }
}
