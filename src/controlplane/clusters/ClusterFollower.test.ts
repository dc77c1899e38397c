import { describe, expect, it } from 'vitest';
import { OutOfRangeError, UnavailableError } from '../../common/errors.js';
import type { ClusterJobEvent } from '../model/ClusterJobEvent.js';
import { silentLogger } from '../testing/testState.js';
import { ClusterFollower } from './ClusterFollower.js';
import type { DispatcherGateway } from './DispatcherGateway.js';

const event = (sequence: number): ClusterJobEvent => ({
  sequence,
  time: new Date(),
  applicationId: 'app-1',
  kind: { type: 'jobStatusChanged', jobId: 'job-1', jobName: 'j', status: 'RUNNING', livingPriority: 'DRIVER' },
});

/** A gateway whose event streams are scripted: each watch call takes the next script. */
function scriptedGateway(
  scripts: Array<(after: number, signal: AbortSignal) => AsyncGenerator<ClusterJobEvent>>,
  reachable: () => boolean,
) {
  const watchedFrom: number[] = [];
  const gateway = {
    address: '127.0.0.1:1',
    watchJobEvents(after: number, signal: AbortSignal) {
      watchedFrom.push(after);
      const script = scripts.shift();
      if (!script)
        return (async function* () {
          await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
        })();
      return script(after, signal);
    },
    async overview() {
      if (!reachable()) throw new UnavailableError('connection refused');
      return { taskExecutors: 1, registered: [{ id: 'taskexecutor-0' }] };
    },
  } as unknown as DispatcherGateway;
  return { gateway, watchedFrom };
}

describe('ClusterFollower', () => {
  it('hands on every event once and resumes after the last one when the stream breaks', async () => {
    const handled: number[] = [];
    const { gateway, watchedFrom } = scriptedGateway(
      [
        async function* () {
          yield event(4);
          yield event(5);
          throw new UnavailableError('stream broke');
        },
        async function* () {
          yield event(5);
          yield event(6);
        },
      ],
      () => true,
    );
    const follower = new ClusterFollower({
      clusterId: 'c',
      gateway,
      afterSequence: 3,
      handle: (received) => void handled.push(received.sequence),
      jobManagerExit: () => undefined,
      onGone: () => undefined,
      logger: silentLogger,
      retryDelayMs: 1,
    });
    follower.start();
    await expect.poll(() => handled).toEqual([4, 5, 6]);
    await follower.stop();
    expect(watchedFrom.slice(0, 3)).toEqual([3, 5, 6]);
    expect(follower.lastSequence).toBe(6);
  });

  it('reports the cluster gone when its job manager process exited', async () => {
    const gone: string[] = [];
    const { gateway } = scriptedGateway(
      [
        async function* () {
          throw new UnavailableError('connection reset');
        },
      ],
      () => false,
    );
    const follower = new ClusterFollower({
      clusterId: 'c',
      gateway,
      afterSequence: 0,
      handle: () => undefined,
      jobManagerExit: () => 'exited with code 1',
      onGone: (reason) => gone.push(reason),
      logger: silentLogger,
    });
    follower.start();
    await expect.poll(() => gone).toEqual(['its job manager at 127.0.0.1:1 exited with code 1']);
    await follower.stop();
  });

  it('reports the cluster gone once its job manager has been unreachable past the loss timeout', async () => {
    const gone: string[] = [];
    const failing = async function* (): AsyncGenerator<ClusterJobEvent> {
      throw new UnavailableError('connection refused');
    };
    const { gateway } = scriptedGateway(
      Array.from({ length: 1000 }, () => failing),
      () => false,
    );
    const follower = new ClusterFollower({
      clusterId: 'c',
      gateway,
      afterSequence: 0,
      handle: () => undefined,
      jobManagerExit: () => undefined,
      onGone: (reason) => gone.push(reason),
      logger: silentLogger,
      lossTimeoutMs: 200,
      retryDelayMs: 20,
    });
    follower.start();
    await expect.poll(() => gone.length).toBe(1);
    expect(gone[0]).toMatch(/has been unreachable for \d+ s \(.*connection refused\)/);
    await follower.stop();
  });

  it('goes on from the oldest kept event when it fell behind what the Dispatcher keeps', async () => {
    const handled: number[] = [];
    const { gateway, watchedFrom } = scriptedGateway(
      [
        async function* () {
          throw new OutOfRangeError(
            'job manager at x: events after sequence 2 are no longer kept; the oldest kept event is 10: watch again with after_sequence 9 or later',
          );
        },
        async function* () {
          yield event(10);
        },
      ],
      () => true,
    );
    const follower = new ClusterFollower({
      clusterId: 'c',
      gateway,
      afterSequence: 2,
      handle: (received) => void handled.push(received.sequence),
      jobManagerExit: () => undefined,
      onGone: () => undefined,
      logger: silentLogger,
    });
    follower.start();
    await expect.poll(() => handled).toEqual([10]);
    await follower.stop();
    expect(watchedFrom.slice(0, 2)).toEqual([2, 9]);
  });
});
