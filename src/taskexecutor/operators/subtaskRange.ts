/**
 * How a bounded input of `total` units (numbers of a sequence, bytes of files) is divided between
 * the subtasks of a source: contiguous ranges whose sizes differ by at most one, so every subtask
 * gets its share and the ranges cover the input exactly once.
 */

/** A half-open range `[start, end)` of positions. */
export interface SubtaskRange {
  start: number;
  end: number;
}

/**
 * The range of subtask `subtaskIndex` of `parallelism`: the first `total % parallelism` subtasks
 * get one unit more than the others. Exact for any `total` up to `Number.MAX_SAFE_INTEGER`.
 */
export function subtaskRange(total: number, parallelism: number, subtaskIndex: number): SubtaskRange {
  const base = Math.floor(total / parallelism);
  const remainder = total % parallelism;
  const start = subtaskIndex * base + Math.min(subtaskIndex, remainder);
  return { start, end: start + base + (subtaskIndex < remainder ? 1 : 0) };
}
