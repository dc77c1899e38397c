/** One execution attempt of one subtask, and where it runs. */
import type { ExecutionState, SerializedError } from '../common/status.js';
import type { SlotAssignment } from '../resourcemanager/ResourceManager.js';

/** An execution attempt as the job master tracks it. */
export interface Execution {
  executionAttemptId: string;
  vertexId: string;
  vertexName: string;
  subtaskIndex: number;
  attemptNumber: number;
  state: ExecutionState;
  slot: SlotAssignment;
  failure?: SerializedError;
}
