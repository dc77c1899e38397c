/**
 * A session cluster of real processes for tests: one `flotilla jobmanager` and task executors, the
 * test pipelines' bundle uploaded to it, and environments whose jobs go to its Dispatcher.
 */
import { createChannel, createClient, type Channel } from 'nice-grpc';
import { afterAll } from 'vitest';
import {
  DispatcherServiceDefinition,
  type DispatcherServiceClient,
} from '../../generated/flotilla/v1/dispatcher_service.js';
import {
  TaskExecutorServiceDefinition,
  type TaskExecutorServiceClient,
} from '../../generated/flotilla/v1/task_executor_service.js';
import type { JobEvent } from '../../generated/flotilla/v1/events.js';
import { JobStatus } from '../../generated/flotilla/v1/status.js';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ExecutionEnvironment } from '../../src/api/ExecutionEnvironment.js';
import type { ExecutionEnvironmentOptions } from '../../src/api/ExecutionEnvironmentOptions.js';
import { bundleFunctionCapturer } from '../../src/api/functions/bundleFunctionCapturer.js';
import { packBundle } from '../../src/client/bundlePacker.js';
import { DispatcherJobSubmitter } from '../../src/driver/service/DispatcherJobSubmitter.js';
import { grpcBlobGateway } from '../../src/blob/service/grpcBlobGateway.js';
import { connectClient } from '../../src/rpc/security/channelCredentials.js';
import { ROOT, startServer, type ServerProcess } from './processes.js';

/** The bundle of test pipelines (test/cluster/fixtures/pipelines). */
export const PIPELINES_BUNDLE = join(ROOT, 'test/cluster/fixtures/pipelines');

/** A running test cluster. */
export interface TestCluster {
  jobManager: ServerProcess;
  taskExecutors: ServerProcess[];
  /** The artifact id of the pipelines bundle in the job manager's blob server. */
  artifactId: string;
  /** Starts one more task executor in the cluster. */
  addTaskExecutor(): Promise<ServerProcess>;
  /** An environment whose jobs run here, with the pipelines bundle. */
  environment(options?: Partial<ExecutionEnvironmentOptions>): ExecutionEnvironment;
  /** Stops every process. */
  stop(): Promise<void>;
}

/** Starts a job manager and `taskExecutors` task executors of `slots` slots each; uploads the pipelines bundle. */
export async function startTestCluster(options: {
  taskExecutors: number;
  slots: number;
  jobManagerArgs?: string[];
  taskExecutorArgs?: string[];
}): Promise<TestCluster> {
  const jobManager = await startServer('jobmanager', options.jobManagerArgs ?? []);
  const taskExecutors: ServerProcess[] = [];
  const addTaskExecutor = async () => {
    const taskExecutor = await startServer('taskexecutor', [
      '--jobmanager',
      jobManager.address,
      '--slots',
      String(options.slots),
      ...(options.taskExecutorArgs ?? []),
    ]);
    taskExecutors.push(taskExecutor);
    return taskExecutor;
  };
  await Promise.all(Array.from({ length: options.taskExecutors }, addTaskExecutor));
  const packed = await packBundle(PIPELINES_BUNDLE);
  const blobs = grpcBlobGateway(jobManager.address);
  const { artifactId } = await blobs.upload({ file: packed.file, fileName: packed.fileName });
  blobs.close();
  packed.cleanup();
  const submitters: DispatcherJobSubmitter[] = [];
  return {
    jobManager,
    taskExecutors,
    artifactId,
    addTaskExecutor,
    environment(overrides = {}) {
      const submitter = new DispatcherJobSubmitter({ address: jobManager.address });
      submitters.push(submitter);
      return new ExecutionEnvironment({
        submitter,
        captureFunction: bundleFunctionCapturer(PIPELINES_BUNDLE),
        bundle: { artifactId },
        ...overrides,
      });
    },
    async stop() {
      for (const submitter of submitters) submitter.close();
      await Promise.all(taskExecutors.map((taskExecutor) => taskExecutor.stop('SIGKILL')));
      await jobManager.stop();
    },
  };
}

/** A DispatcherService client of the job manager at `address` (presenting its cluster's secret, if it has one), closed when the test file ends. */
export function dispatcherClient(address: string, clusterSecret?: string): DispatcherServiceClient {
  const { channel, client } = connectClient(DispatcherServiceDefinition, address, { clusterSecret });
  openChannels.push(channel);
  return client;
}

/** A TaskExecutorService client of the task executor at `address`, closed when the test file ends. */
export function taskExecutorClient(address: string): TaskExecutorServiceClient {
  const channel = createChannel(address);
  openChannels.push(channel);
  return createClient(TaskExecutorServiceDefinition, channel);
}

const openChannels: Channel[] = [];
afterAll(() => {
  for (const channel of openChannels.splice(0)) channel.close();
});

/** Every event of one job so far, in order. */
export async function jobEvents(client: DispatcherServiceClient, jobId: string): Promise<JobEvent[]> {
  const events: JobEvent[] = [];
  for await (const { event } of client.watchJobEvents({ afterSequence: 0n, jobId, follow: false }))
    if (event) events.push(event);
  return events;
}

/** The job statuses among `events`, in order, as names. */
export function jobStatusesOf(events: JobEvent[]): string[] {
  return events.flatMap((event) =>
    event.kind?.$case === 'jobStatusChanged' ? [JobStatus[event.kind.jobStatusChanged.status]] : [],
  );
}

/** The test pipelines' exports, each taking an environment and its parameters. */
export type Pipelines = Record<
  'wordCount' | 'slowSink' | 'failing' | 'capturesLocal' | 'squares' | 'streamingWordCount' | 'savepointCounts',
  (env: ExecutionEnvironment, ...args: any[]) => any
>;

/**
 * Loads the pipelines bundle with Node's own loader, as a driver imports a bundle. A static
 * import would go through vitest's transform, which rewrites the module's imports into variables
 * that a captured function would then (rightly) be refused for using.
 */
export async function importPipelines(): Promise<Pipelines> {
  // Node's require() of an ES module (Node >= 20.19) is not intercepted by vitest.
  return createRequire(import.meta.url)(join(PIPELINES_BUNDLE, 'pipelines.mjs')) as Pipelines;
}
