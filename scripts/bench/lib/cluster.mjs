// A session cluster of real processes for the benchmarks: one `flotilla jobmanager` and task
// executors started from the compiled CLI, the benchmark bundle uploaded to its blob server, a
// Dispatcher client, and environments (from dist/) whose jobs go to it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannel, createClient } from 'nice-grpc';
import { BENCH_BUNDLE, importDist } from './paths.mjs';
import { startServer } from './processes.mjs';

const { DispatcherServiceDefinition } = await importDist('dist/generated/flotilla/v1/dispatcher_service.js');
const { ExecutionEnvironment } = await importDist('dist/src/api/ExecutionEnvironment.js');
const { bundleFunctionCapturer } = await importDist('dist/src/api/functions/bundleFunctionCapturer.js');
const { packBundle } = await importDist('dist/src/client/bundlePacker.js');
const { DispatcherJobSubmitter } = await importDist('dist/src/driver/service/DispatcherJobSubmitter.js');
const { grpcBlobGateway } = await importDist('dist/src/blob/service/grpcBlobGateway.js');

/**
 * Starts a job manager (with `jobManagerArgs`) and `taskExecutors` task executors of `slots` slots
 * each (cpus = slots), waits until every task executor registered, and uploads the benchmark
 * bundle. `taskExecutorNodeArgs` go to the task executors' node (such as --cpu-prof).
 */
export async function startBenchCluster({ taskExecutors, slots, taskExecutorNodeArgs = [], jobManagerArgs = [] }) {
  const stateDir = mkdtempSync(join(tmpdir(), 'flotilla-bench-cluster-'));
  const jobManager = await startServer('jobmanager', ['--state-dir', join(stateDir, 'jobmanager'), ...jobManagerArgs]);
  const startWorker = (index) =>
    startServer(
      'taskexecutor',
      [
        '--jobmanager',
        jobManager.address,
        '--slots',
        String(slots),
        '--cpus',
        String(slots),
        '--state-dir',
        join(stateDir, `taskexecutor-${index}`),
      ],
      { nodeArgs: taskExecutorNodeArgs },
    );
  const workers = await Promise.all(Array.from({ length: taskExecutors }, (_, index) => startWorker(index)));
  const channel = createChannel(jobManager.address);
  const dispatcher = createClient(DispatcherServiceDefinition, channel);
  const registered = async (count) => {
    for (let waited = 0; ; waited += 50) {
      const overview = await dispatcher.requestClusterOverview({});
      if (overview.taskExecutors >= count) return;
      if (waited > 30_000)
        throw new Error(`only ${overview.taskExecutors} of ${count} task executors registered within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await registered(taskExecutors);
  const packed = await packBundle(BENCH_BUNDLE);
  const blobs = grpcBlobGateway(jobManager.address);
  const { artifactId } = await blobs.upload({ file: packed.file, fileName: packed.fileName });
  blobs.close();
  packed.cleanup();
  const submitters = [];

  return {
    jobManager,
    taskExecutors: workers,
    dispatcher,
    stateDir,
    /** An environment whose jobs run here, with the benchmark bundle (and `properties`, `restartStrategy` when given). */
    environment(parallelism, options = {}) {
      const submitter = new DispatcherJobSubmitter({ address: jobManager.address });
      submitters.push(submitter);
      const env = new ExecutionEnvironment({
        submitter,
        captureFunction: bundleFunctionCapturer(BENCH_BUNDLE),
        bundle: { artifactId },
        ...options,
      });
      return env.setParallelism(parallelism);
    },
    /** Starts one more task executor and waits until it registered. */
    async addTaskExecutor() {
      const worker = await startWorker(workers.length);
      workers.push(worker);
      for (let waited = 0; ; waited += 50) {
        const overview = await dispatcher.requestClusterOverview({});
        if (overview.taskExecutorInfos.some((info) => info.pid === worker.pid)) return worker;
        if (waited > 30_000) throw new Error(`task executor ${worker.pid} did not register within 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    /** Stops every process (task executors with SIGTERM, so a --cpu-prof profile gets written) and removes the state. */
    async stop() {
      for (const submitter of submitters) submitter.close();
      channel.close();
      await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
      await jobManager.stop('SIGTERM');
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Imports the benchmark bundle's pipelines with Node's own loader, as a driver imports a bundle. */
export async function importBenchPipelines() {
  return import(join(BENCH_BUNDLE, 'pipelines.mjs'));
}
