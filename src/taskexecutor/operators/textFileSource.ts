/**
 * The source of `env.readTextFile(path)`: the lines of a file or of the files in a folder. The
 * bytes of all files, taken in name order, are cut into one contiguous range per subtask, as
 * Hadoop's `TextInputFormat` cuts splits, so a single large file is read in parallel and every
 * line is read by exactly one subtask; nothing is read whole into memory.
 */
import { listInputFiles } from './listInputFiles.js';
import { readLinesInRange } from './readLinesInRange.js';
import { subtaskRange } from './subtaskRange.js';
import type { TaskContext } from './TaskContext.js';

/** How a text file source reads. */
export interface TextFileSourceOptions {
  /** The most lines in one batch. */
  batchSize: number;
  /** The bytes read from a file at a time. */
  readChunkSize: number;
}

/**
 * Yields, in batches of at most `batchSize`, the lines (without line terminators) that start in
 * this subtask's byte range. The input must not change while the job runs: every subtask lists
 * the files and their sizes on its own and must find the same.
 *
 * @throws NotFoundError when `path` does not exist.
 */
export async function* textFileSource(
  path: string,
  context: TaskContext,
  options: TextFileSourceOptions,
): AsyncGenerator<string[]> {
  const files = await listInputFiles(path);
  let totalBytes = 0;
  for (const file of files) totalBytes += file.size;
  const range = subtaskRange(totalBytes, context.parallelism, context.subtaskIndex);
  let batch: string[] = [];
  let fileStart = 0;
  for (const file of files) {
    const fileEnd = fileStart + file.size;
    const start = Math.max(range.start, fileStart);
    const end = Math.min(range.end, fileEnd);
    if (start < end) {
      for await (const lines of readLinesInRange(
        file.path,
        start - fileStart,
        end - fileStart,
        options.readChunkSize,
      )) {
        for (const line of lines) {
          batch.push(line);
          if (batch.length >= options.batchSize) {
            yield batch;
            batch = [];
          }
        }
      }
    }
    fileStart = fileEnd;
    if (fileStart >= range.end) break;
  }
  if (batch.length > 0) yield batch;
}
