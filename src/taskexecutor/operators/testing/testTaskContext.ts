/**
 * Test support: a {@link TaskContext} with readable defaults, so tests only spell out the fields
 * they are about. For tests only.
 */
import type { TaskContext } from '../TaskContext.js';

/** A context for subtask `subtaskIndex` of `parallelism`, attempt 0 unless `overrides` say otherwise. */
export function testTaskContext(subtaskIndex = 0, parallelism = 1, overrides: Partial<TaskContext> = {}): TaskContext {
  return {
    subtaskIndex,
    parallelism,
    attemptNumber: 0,
    jobId: 'job-0000000000000000',
    vertexId: 'vertex-1',
    executionAttemptId: `attempt-${subtaskIndex}`,
    taskName: `Test (${subtaskIndex + 1}/${parallelism})`,
    ...overrides,
  };
}
