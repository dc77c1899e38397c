import { describe, expect, it } from 'vitest';
import {
  TaskExecutorServiceDefinition,
  type TaskExecutorServiceImplementation,
} from '../../generated/flotilla/v1/task_executor_service.js';
import { hostedService } from './hostedService.js';

// These are checked by the compiler (npx tsc, npm run lint): an implementation that lacks a handler
// does not compile, and each `@ts-expect-error` below fails the build if the error it expects is gone.
describe('hostedService', () => {
  const heartbeat = async () => ({ taskExecutorId: 'te-1', slots: [], runningExecutionAttemptIds: [] });
  const unused = async () => {
    throw new Error('not called');
  };
  const complete: TaskExecutorServiceImplementation = {
    offerSlots: unused,
    requestSlot: unused,
    freeSlot: unused,
    submitTask: unused,
    cancelTask: unused,
    triggerCheckpoint: unused,
    confirmCheckpoint: unused,
    heartbeat,
    shutDown: unused,
    async *exchangeData() {
      throw new Error('not called');
    },
  };

  it('hosts a complete implementation as it is', () => {
    const service = hostedService(TaskExecutorServiceDefinition, complete);
    expect(service.definition).toBe(TaskExecutorServiceDefinition);
    expect(service.implementation).toBe(complete);
  });

  it('does not compile when a handler is missing', () => {
    // @ts-expect-error: TaskExecutorService has RPCs besides Heartbeat, and every one needs a handler.
    const service = hostedService(TaskExecutorServiceDefinition, { heartbeat });
    expect(service.implementation).toEqual({ heartbeat });
  });

  it('does not compile when a handler is left out of a complete one', () => {
    const { cancelTask: _forgotten, ...withoutCancelTask } = complete;
    // @ts-expect-error: CancelTask has no handler.
    hostedService(TaskExecutorServiceDefinition, withoutCancelTask);
    expect(_forgotten).toBe(unused);
  });
});
