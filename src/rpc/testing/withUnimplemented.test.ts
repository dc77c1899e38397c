import { Status } from 'nice-grpc';
import { describe, expect, it } from 'vitest';
import { TaskExecutorServiceDefinition } from '../../../generated/flotilla/v1/task_executor_service.js';
import { withUnimplemented } from './withUnimplemented.js';

describe('withUnimplemented', () => {
  const heartbeat = async () => ({ taskExecutorId: 'te-1', slots: [], runningExecutionAttemptIds: [] });
  const service = withUnimplemented(TaskExecutorServiceDefinition, { heartbeat });

  it('keeps the methods it is given', () => {
    expect(service.heartbeat).toBe(heartbeat);
  });

  it('answers a missing unary method with UNIMPLEMENTED naming the service and RPC', async () => {
    await expect((service.cancelTask as () => Promise<unknown>)()).rejects.toMatchObject({
      code: Status.UNIMPLEMENTED,
      details: 'flotilla.v1.TaskExecutorService/CancelTask is not implemented in this version of Flotilla yet',
    });
  });

  it('answers a missing streaming method by failing the stream the same way', async () => {
    const stream = (service.exchangeData as () => AsyncGenerator<unknown>)();
    await expect(stream.next()).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
  });
});
