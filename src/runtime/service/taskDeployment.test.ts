import { describe, expect, it } from 'vitest';
import type { TaskDeploymentDescriptor } from '../TaskDeploymentDescriptor.js';
import { taskDeploymentFromMessage, taskDeploymentToMessage } from './taskDeployment.js';

const keySelector = { source: '(pair) => pair[0]', module: 'main.js', line: 7, boundValuesJson: '{}' };

const descriptor: TaskDeploymentDescriptor = {
  jobId: 'job-1',
  jobName: 'word count',
  vertexId: 'v2',
  vertexName: 'Keyed Sum -> Sink: Collect',
  subtaskIndex: 1,
  parallelism: 2,
  attemptNumber: 3,
  executionAttemptId: 'attempt-9',
  allocationId: 'alloc-1',
  operators: [
    { kind: 'sum', name: 'Sum', field: '1' },
    { kind: 'collectSink', name: 'Sink: Collect' },
  ],
  inputs: [
    {
      sourceVertexId: 'v1',
      shipStrategy: 'hash',
      keySelector,
      preAggregated: true,
      channels: [
        { producerAddress: '127.0.0.1:4000', partitionId: 'attempt-1/v2', subpartitionIndex: 1 },
        { producerAddress: '127.0.0.1:4001', partitionId: 'attempt-2/v2', subpartitionIndex: 1 },
      ],
    },
  ],
  outputs: [
    {
      partitionId: 'attempt-9/v3',
      targetVertexId: 'v3',
      shipStrategy: 'rebalance',
      subpartitions: 4,
      keySelector: undefined,
    },
    {
      partitionId: 'attempt-9/v4',
      targetVertexId: 'v4',
      shipStrategy: 'hash',
      subpartitions: 2,
      keySelector,
      preAggregation: { kind: 'count', name: 'Keyed Aggregation' },
    },
  ],
  bundle: { artifactId: 'a'.repeat(64) },
  resources: { cpus: 1, heapMemoryMb: 256, directMemoryMb: 0, nativeMemoryMb: 0 },
  applicationId: 'app-1',
  jobmanagerAddress: '127.0.0.1:3999',
  runtimeMode: 'BATCH',
};

describe('task deployment conversion', () => {
  it('round-trips a descriptor through its proto message', () => {
    expect(taskDeploymentFromMessage(taskDeploymentToMessage(descriptor))).toEqual(descriptor);
  });

  it('refuses a descriptor without an attempt id, naming the task and the field', () => {
    const message = { ...taskDeploymentToMessage(descriptor), executionAttemptId: '' };
    expect(() => taskDeploymentFromMessage(message)).toThrow(
      /Keyed Sum -> Sink: Collect \(2\/2\): executionAttemptId is required/,
    );
  });

  it('refuses a hash input without a key selector', () => {
    const message = taskDeploymentToMessage(descriptor);
    message.inputs[0].keySelector = undefined;
    expect(() => taskDeploymentFromMessage(message)).toThrow(/input 0 key_selector: a function \(source\) is required/);
  });

  it('refuses a pre-aggregation that is not a keyed aggregation on a hash output', () => {
    const message = taskDeploymentToMessage(descriptor);
    message.outputs[1].preAggregation = message.operators[1];
    expect(() => taskDeploymentFromMessage(message)).toThrow(
      /output 1: pre_aggregation must be a keyed reduce, sum or count on a HASH output/,
    );
  });

  it('refuses a subtask index outside the parallelism', () => {
    expect(() => taskDeploymentFromMessage({ ...taskDeploymentToMessage(descriptor), subtaskIndex: 2 })).toThrow(
      /subtask_index must be below parallelism/,
    );
  });
});
