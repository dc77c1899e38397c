/**
 * What a running subtask knows about itself. Sources use it to pick their share of the input,
 * sinks to name their files and prefix their lines, and operators to report where they run; the
 * task runner fills it from the deployment it receives.
 */
import { InvalidArgumentError } from '../../common/errors.js';

/** The identity of one execution attempt of one subtask (Flink's `TaskInfo` plus ids). */
export interface TaskContext {
  /** The 0-based index of this subtask among the vertex's `parallelism` subtasks. */
  subtaskIndex: number;
  /** How many subtasks the vertex runs. */
  parallelism: number;
  /** 0 for the first execution of this subtask, 1 for its first restart, and so on. */
  attemptNumber: number;
  /** The job this task belongs to; it stays the same across restarts. */
  jobId: string;
  /** The job vertex (operator chain) this task runs. */
  vertexId: string;
  /** The id of this execution attempt; it changes with every restart. */
  executionAttemptId: string;
  /** A readable name such as `Map -> Sink: Print (2/4)`, for logs and error messages. */
  taskName: string;
}

/**
 * Checks that the indices of `context` make sense, so that a wrong deployment fails at once
 * instead of silently reading the wrong share of the input.
 *
 * @throws InvalidArgumentError when `parallelism` is not a positive integer, `subtaskIndex` is not
 *   in `[0, parallelism)`, or `attemptNumber` is negative.
 */
export function checkTaskContext(context: TaskContext): void {
  const { subtaskIndex, parallelism, attemptNumber } = context;
  if (!Number.isSafeInteger(parallelism) || parallelism < 1) {
    throw new InvalidArgumentError(
      `task ${context.taskName}: parallelism must be a positive integer, got ${parallelism}`,
    );
  }
  if (!Number.isSafeInteger(subtaskIndex) || subtaskIndex < 0 || subtaskIndex >= parallelism) {
    throw new InvalidArgumentError(
      `task ${context.taskName}: subtask index ${subtaskIndex} is not in [0, ${parallelism})`,
    );
  }
  if (!Number.isSafeInteger(attemptNumber) || attemptNumber < 0) {
    throw new InvalidArgumentError(
      `task ${context.taskName}: attempt number must be an integer of at least 0, got ${attemptNumber}`,
    );
  }
}
