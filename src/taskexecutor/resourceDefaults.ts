/** What a task executor offers when it is not told: every core of the machine and a quarter of its memory. */
import { availableParallelism, totalmem } from 'node:os';

/** The cpus and memory (MiB) a task executor offers in all unless `--cpus` / `--memory` say otherwise. */
export const TASK_EXECUTOR_RESOURCE_DEFAULTS = {
  cpus: availableParallelism(),
  memoryMb: Math.floor(totalmem() / 1024 / 1024 / 4),
} as const;
