/**
 * A task executor whose process is gone: deploying to it over a real gRPC channel (to a port where
 * nothing listens any more) fails with TaskExecutorUnreachableError, and the job manager's deployer
 * declares that task executor lost at once, so a restart is not deployed to it again while the
 * heartbeat timeout runs.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { TaskDeploymentDescriptor } from '../../runtime/TaskDeploymentDescriptor.js';
import { TaskExecutorUnreachableError } from '../../runtime/TaskExecutorUnreachableError.js';
import { gatewayTaskDeployer } from '../gatewayTaskDeployer.js';
import { grpcTaskExecutorGateway } from './grpcTaskExecutorGateway.js';

/** A loopback address that refused connections a moment ago: a port that was bound, then released. */
async function closedAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

const descriptor: TaskDeploymentDescriptor = {
  jobId: 'job-1',
  jobName: 'word count',
  vertexId: 'v1',
  vertexName: 'Source: Words',
  subtaskIndex: 0,
  parallelism: 1,
  attemptNumber: 2,
  executionAttemptId: 'attempt-1',
  allocationId: 'alloc-1',
  operators: [{ kind: 'collectSink', name: 'Sink: Collect' }],
  inputs: [],
  outputs: [],
  resources: { cpus: 1, heapMemoryMb: 64, directMemoryMb: 0, nativeMemoryMb: 0 },
  applicationId: 'app-1',
  jobmanagerAddress: '127.0.0.1:1',
};

describe('deploying to a task executor that is gone', () => {
  it('fails as unreachable, naming the address, and declares the task executor lost at once', async () => {
    const address = await closedAddress();
    const gateway = grpcTaskExecutorGateway(address, 5000);
    const lost: Array<[string, string]> = [];
    const deployer = gatewayTaskDeployer({
      gatewayOf: (id) => (id === 'te-1' ? gateway : undefined),
      lose: (id, reason) => lost.push([id, reason]),
    });
    try {
      const failure = await deployer.submitTask('te-1', descriptor).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(TaskExecutorUnreachableError);
      expect((failure as Error).message).toContain(`task executor at ${address} is unreachable`);
      expect(lost).toEqual([['te-1', (failure as Error).message]]);
    } finally {
      gateway.close();
    }
  });

  it('does not declare a task executor lost for a task it refused', async () => {
    const lost: string[] = [];
    const refusal = new Error('slot alloc-1 is not allocated to job job-1');
    const deployer = gatewayTaskDeployer({
      gatewayOf: () => ({ submitTask: () => Promise.reject(refusal) }) as never,
      lose: (id) => lost.push(id),
    });
    await expect(deployer.submitTask('te-1', descriptor)).rejects.toBe(refusal);
    expect(lost).toEqual([]);
  });
});
