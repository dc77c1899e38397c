/**
 * What a task executor tells its job manager when it registers (Flink's TaskExecutorRegistration):
 * the task executor sends it through its JobManagerGateway, the resource manager keeps it.
 */
import type { SlotStatus } from './SlotStatus.js';

/** A task executor's identity, address and slots at registration. */
export interface TaskExecutorRegistration {
  taskExecutorId: string;
  address: string;
  slots: SlotStatus[];
  pid: number;
  hostname: string;
}
