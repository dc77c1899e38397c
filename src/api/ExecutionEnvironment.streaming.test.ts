import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../common/errors.js';
import { ExecutionEnvironment } from './ExecutionEnvironment.js';
import { FakeJobSubmitter } from './testing/FakeJobSubmitter.js';
import { testCapturer } from './testing/testCapturer.js';

function environment() {
  const submitter = new FakeJobSubmitter();
  const env = new ExecutionEnvironment({
    submitter,
    captureFunction: testCapturer,
    properties: { 'state.checkpoints.dir': '/checkpoints' },
  });
  return { env, submitter };
}

describe('ExecutionEnvironment, streaming', () => {
  it('runs a job with an unbounded source in STREAMING mode and a bounded one in BATCH (AUTOMATIC)', async () => {
    const { env, submitter } = environment();
    env.fromJetStream({ servers: 'nats://127.0.0.1:4222', stream: 'WORDS' }).print();
    await env.executeAsync('jetstream');
    env.readTextFile('/in', { monitorIntervalMs: 1000 }).print();
    await env.executeAsync('watched folder');
    env.fromGenerator((index) => index, { recordsPerSecond: 10 }).print();
    await env.executeAsync('endless generator');
    env.fromGenerator((index) => index, { count: 10 }).print();
    await env.executeAsync('counted generator');
    env.readTextFile('/in').print();
    await env.executeAsync('file read once');
    expect(submitter.submitted.map((graph) => graph.runtimeMode)).toEqual([
      'STREAMING',
      'STREAMING',
      'STREAMING',
      'BATCH',
      'BATCH',
    ]);
    expect(submitter.submitted[0].vertices[0].operators[0]).toEqual({
      kind: 'jetStreamSource',
      name: 'Source: JetStream',
      servers: ['nats://127.0.0.1:4222'],
      stream: 'WORDS',
    });
  });

  it('puts the checkpoint interval into the properties of the jobs executed after enableCheckpointing(), and operator uids into the graph', async () => {
    const { env, submitter } = environment();
    env
      .fromGenerator((index) => index)
      .uid('numbers')
      .print();
    await env.executeAsync('before');
    env.enableCheckpointing(500);
    env.fromGenerator((index) => index).print();
    await env.executeAsync('after');
    expect(submitter.submitted[0].properties).toEqual({ 'state.checkpoints.dir': '/checkpoints' });
    expect(submitter.submitted[0].vertices[0].operators[0].uid).toBe('numbers');
    expect(submitter.submitted[1].properties).toEqual({
      'state.checkpoints.dir': '/checkpoints',
      'execution.checkpointing.interval': '500',
    });
  });

  it('refuses arguments it cannot use, saying what it expects', () => {
    const { env } = environment();
    expect(() => env.enableCheckpointing(0)).toThrow(InvalidArgumentError);
    expect(() => env.readTextFile('/in', { monitorIntervalMs: 0.5 })).toThrow(/monitorIntervalMs/);
    expect(() => env.fromGenerator((index) => index, { recordsPerSecond: -1 })).toThrow(/recordsPerSecond/);
    expect(() => env.fromJetStream({ servers: [], stream: 'WORDS' })).toThrow(/servers/);
    expect(() => env.fromJetStream({ servers: 'nats://127.0.0.1:4222', stream: '' })).toThrow(/stream name/);
    expect(() => env.fromGenerator((index) => index).uid('')).toThrow(/uid/);
  });
});
