import { createChannel, createClient, Status, type Channel } from 'nice-grpc';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TaskExecutorServiceDefinition,
  type TaskExecutorServiceClient,
} from '../../generated/flotilla/v1/task_executor_service.js';
import { InvalidArgumentError } from '../common/errors.js';
import { MAX_STATUS_MESSAGE_CHARS } from './errorMiddleware.js';
import { startServerHost, type ServerHost } from './serverHost.js';
import { withUnimplemented } from './testing/withUnimplemented.js';

describe('the error middleware', () => {
  let host: ServerHost;
  let channel: Channel;
  let client: TaskExecutorServiceClient;

  beforeAll(async () => {
    const implementation = withUnimplemented(TaskExecutorServiceDefinition, {
      // A validation message that quotes what the caller sent, whatever its size.
      cancelTask: async ({ executionAttemptId }) => {
        throw new InvalidArgumentError(`execution attempt ${executionAttemptId} is not one of this task executor's`);
      },
      // One that quotes the start of a field, cutting a character made of two UTF-16 units in half.
      freeSlot: async ({ allocationId }) => {
        throw new InvalidArgumentError(`allocation ${allocationId.slice(0, 5)}… is unknown`);
      },
      offerSlots: async () => ({ taskExecutorId: 'te-1', slots: [] }),
    });
    host = await startServerHost({
      listen: { host: '127.0.0.1', port: 0 },
      logger: pino({ level: 'silent' }),
      services: [{ definition: TaskExecutorServiceDefinition, implementation } as never],
    });
    channel = createChannel(host.address);
    client = createClient(TaskExecutorServiceDefinition, channel);
  });
  afterAll(async () => {
    channel.close();
    await host.shutdown();
  });

  it('cuts a message that quotes a huge field, so the status still fits its trailer and the connection keeps working', async () => {
    const huge = '名前🚀'.repeat(50_000);
    await expect(
      client.cancelTask({ executionAttemptId: huge }, { signal: AbortSignal.timeout(5000) }),
    ).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^execution attempt 名前🚀.*… \(\d+ more characters\)$/s),
    });
    expect((await client.offerSlots({}, { signal: AbortSignal.timeout(5000) })).taskExecutorId).toBe('te-1');
  });

  it('replaces half a character by U+FFFD instead of crashing the server on it', async () => {
    await expect(
      client.freeSlot({ allocationId: 'abcd🚀', reason: '' }, { signal: AbortSignal.timeout(5000) }),
    ).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: 'allocation abcd\uFFFD… is unknown',
    });
    expect((await client.offerSlots({})).taskExecutorId).toBe('te-1');
  });

  it('keeps a message of ordinary length whole', async () => {
    await expect(client.cancelTask({ executionAttemptId: 'attempt-1' })).rejects.toMatchObject({
      details: "execution attempt attempt-1 is not one of this task executor's",
    });
    expect(MAX_STATUS_MESSAGE_CHARS).toBeGreaterThan(500);
  });
});
