/**
 * SubmitJob for applications whose `main()` runs in the client (session and per-job modes): the
 * application's mode runs the job where it belongs (SubmissionModeStrategy.submitJob: the
 * application's named cluster in session mode, a new cluster deployed for it alone in per-job
 * mode, Flink's one cluster per job), as a NORMAL job of the application. A request id makes a
 * retried submission return the first job, also while the first one is still being deployed, so
 * a client that lost its connection never starts a job (or deploys a cluster) twice.
 */
import type { ArtifactStore } from '../../blob/ArtifactStore.js';
import { FailedPreconditionError, InvalidArgumentError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Logger } from '../../common/logger.js';
import type { JobGraph } from '../../jobgraph/jobGraph.js';
import { jobRestoreFor } from '../../jobgraph/ApplicationRestore.js';
import { applicationRestoreOf } from '../model/ApplicationSavepoint.js';
import { checkRequestId } from '../applications/compileSubmission.js';
import { submissionModeOf } from '../applications/modes/submissionModes.js';
import type { ModeServices, SubmittedClientJob } from '../applications/modes/SubmissionModeStrategy.js';
import type { ClusterManager } from '../clusters/ClusterManager.js';
import type { Application } from '../model/Application.js';
import type { ApplicationStore } from '../store/ApplicationStore.js';
import type { JobStore } from '../store/JobStore.js';

/** What the submissions need. */
export interface JobSubmissionsOptions {
  applications: ApplicationStore;
  jobs: JobStore;
  clusters: ClusterManager;
  artifacts: ArtifactStore;
  logger: Logger;
}

/** A job a client submits. */
export interface ClientJobSubmission {
  applicationId: string;
  graph: JobGraph;
  /** Empty for none. */
  requestId: string;
}

export type { SubmittedClientJob } from '../applications/modes/SubmissionModeStrategy.js';

/** Submits the jobs of client-side `main()`s. */
export class JobSubmissions {
  private readonly inFlight = new Map<string, Promise<SubmittedClientJob>>();
  private readonly controller = new AbortController();
  private readonly services: ModeServices;

  constructor(private readonly options: JobSubmissionsOptions) {
    const { applications, clusters, artifacts, logger } = options;
    this.services = { applications, clusters, artifacts, logger };
  }

  /**
   * Submits a job of a RUNNING session or per-job application whose `main()` has not reported its
   * end. INVALID_ARGUMENT for a graph without the application's bundle, FAILED_PRECONDITION for an
   * application in another mode or state.
   */
  submit(submission: ClientJobSubmission): Promise<SubmittedClientJob> {
    const requestId = checkRequestId(submission.requestId);
    if (requestId) {
      const pending = this.inFlight.get(`${submission.applicationId}/${requestId}`);
      if (pending) return pending;
    }
    const key = `${submission.applicationId}/${requestId || newId('submission')}`;
    const promise = this.submitOnce(submission, requestId, key);
    this.inFlight.set(key, promise);
    void promise.catch(() => undefined).finally(() => this.inFlight.delete(key));
    return promise;
  }

  private async submitOnce(
    submission: ClientJobSubmission,
    requestId: string,
    key: string,
  ): Promise<SubmittedClientJob> {
    const application = await this.options.applications.get(submission.applicationId);
    if (requestId) {
      const earlier = await this.options.jobs.findByRequestId(application.id, requestId);
      if (earlier) return { jobId: earlier.id, clusterId: earlier.clusterId };
    }
    this.check(application, submission.graph);
    const submitted = await submissionModeOf(application).submitJob(
      application,
      await this.withRestore(application, submission.graph),
      key,
      this.services,
      this.controller.signal,
    );
    await this.options.jobs.insert({
      id: submitted.jobId,
      applicationId: application.id,
      clusterId: submitted.clusterId,
      name: submission.graph.name,
      livingPriority: 'NORMAL',
      status: 'CREATED',
      restarts: 0,
      requestId,
      createTime: new Date(),
    });
    return submitted;
  }

  /**
   * The graph with the savepoint the application restores it from (`run -s/-r`), matched by job
   * name, as the Dispatcher does in driver and application modes: a graph that names its own keeps
   * it, and only the first job of a name restores (a later one of the same name starts without state).
   */
  private async withRestore(application: Application, graph: JobGraph): Promise<JobGraph> {
    const savepoint = graph.savepoint ?? jobRestoreFor(applicationRestoreOf(application), application.name, graph.name);
    if (!savepoint || graph.savepoint) return graph;
    const earlier = await this.options.jobs.ofApplication(application.id);
    return earlier.some((job) => job.name === graph.name) ? graph : { ...graph, savepoint };
  }

  /** Stops the deployments of per-job clusters under way (at shutdown). */
  close(): void {
    this.controller.abort();
  }

  private check(application: Application, graph: JobGraph): void {
    submissionModeOf(application).requireClientMain(application, 'SubmitJob');
    if (application.status !== 'RUNNING') {
      const hint =
        application.status === 'DEPLOYING' ? '; wait until it is RUNNING (its cluster is being prepared)' : '';
      throw new FailedPreconditionError(
        `application ${application.id} is ${application.status} and accepts jobs only while RUNNING${hint}`,
      );
    }
    if (application.clientMainEndTime) {
      throw new FailedPreconditionError(
        `the main() of application ${application.id} already reported its end (CompleteClientMain); it submits no more jobs`,
      );
    }
    const bundle = graph.bundle;
    const expected = 'artifactId' in application.bundle ? application.bundle.artifactId : '';
    if (!bundle || !('artifactId' in bundle) || bundle.artifactId !== expected) {
      throw new InvalidArgumentError(
        `job_graph.bundle must name the application's bundle (artifact ${expected}), whose code the job's functions come from; got ${bundle ? JSON.stringify(bundle) : 'none'}`,
      );
    }
  }
}
