/**
 * An application's restore (`flotilla run -s/-n/-r` in driver and application mode) as the jobs its
 * `main()` submits claim it: the first job of a name gets the savepoint filed under that name, as
 * its job graph's SavepointRestoreSettings; a later job of the same name starts without state. A
 * claim whose restore was refused (the job was not accepted) is given back, so `main()` may try
 * again.
 */
import { jobRestoreFor, type ApplicationRestore } from '../jobgraph/ApplicationRestore.js';
import type { JobGraph } from '../jobgraph/jobGraph.js';

/** Which job names of an application have claimed their savepoint. */
export class ApplicationRestoreClaims {
  private readonly claimed = new Set<string>();

  constructor(
    private readonly applicationName: string,
    private readonly restore: ApplicationRestore,
  ) {}

  /**
   * `graph` with the savepoint its name claims, when the application restores one for it, it has
   * none of its own and no job of its name claimed it before; `graph` itself otherwise.
   */
  claim(graph: JobGraph): JobGraph {
    if (graph.savepoint) return graph;
    const settings = jobRestoreFor(this.restore, this.applicationName, graph.name);
    if (!settings || this.claimed.has(settings.path)) return graph;
    this.claimed.add(settings.path);
    return { ...graph, savepoint: settings };
  }

  /** Gives back the claim of `graph`'s savepoint (its job was refused). */
  release(graph: JobGraph): void {
    if (graph.savepoint) this.claimed.delete(graph.savepoint.path);
  }
}
