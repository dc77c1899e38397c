/** The readable name of a subtask, as Flink prints it: `Map -> Sink: Print (2/4)`. */
import type { TaskDeploymentDescriptor } from '../../runtime/TaskDeploymentDescriptor.js';

/** `vertexName (subtask/parallelism)`, counting subtasks from 1. */
export function taskNameOf(
  descriptor: Pick<TaskDeploymentDescriptor, 'vertexName' | 'subtaskIndex' | 'parallelism'>,
): string {
  return `${descriptor.vertexName} (${descriptor.subtaskIndex + 1}/${descriptor.parallelism})`;
}
