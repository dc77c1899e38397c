/**
 * Checkpoints in a folder (Flink's FileSystemCheckpointStorage), one folder per checkpoint:
 *
 * ```
 * <dir>/<jobId>/chk-<id>/<vertexId>-<subtaskIndex>.state   each subtask's snapshot (v8-serialized)
 * <dir>/<jobId>/chk-<id>/_metadata                          the manifest (JSON), written last
 * ```
 *
 * A checkpoint is written into `chk-<id>.inprogress` and renamed when whole, so a `chk-<id>` folder
 * is always complete and has its manifest; a crash leaves at most an `.inprogress` folder, which
 * the next store of the same job removes.
 */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointStorage } from './CheckpointStorage.js';
import type { CompletedCheckpoint } from './CompletedCheckpoint.js';

/** The manifest of one checkpoint (`_metadata`). */
export interface CheckpointManifest {
  jobId: string;
  checkpointId: number;
  timestamp: number;
  completedAt: number;
  /** One entry per subtask state file. */
  states: Array<{ vertexId: string; subtaskIndex: number; file: string; bytes: number }>;
}

/** The name of a checkpoint's manifest file. */
export const MANIFEST_FILE = '_metadata';

/** Writes the checkpoints of one job under `<directory>/<jobId>/`. */
export class FileSystemCheckpointStorage implements CheckpointStorage {
  private readonly jobFolder: string;
  private cleaned = false;

  constructor(directory: string, jobId: string) {
    this.jobFolder = join(directory, jobId);
  }

  /** The folder of checkpoint `checkpointId`. */
  folderOf(checkpointId: number): string {
    return join(this.jobFolder, `chk-${checkpointId}`);
  }

  async store(checkpoint: CompletedCheckpoint): Promise<void> {
    await mkdir(this.jobFolder, { recursive: true });
    if (!this.cleaned) {
      this.cleaned = true;
      for (const name of await readdir(this.jobFolder))
        if (name.endsWith('.inprogress')) await rm(join(this.jobFolder, name), { recursive: true, force: true });
    }
    const final = this.folderOf(checkpoint.checkpointId);
    const temporary = `${final}.inprogress`;
    await rm(temporary, { recursive: true, force: true });
    await mkdir(temporary);
    const manifest: CheckpointManifest = {
      jobId: checkpoint.jobId,
      checkpointId: checkpoint.checkpointId,
      timestamp: checkpoint.timestamp,
      completedAt: checkpoint.completedAt,
      states: [],
    };
    for (const [key, state] of checkpoint.states) {
      const slash = key.lastIndexOf('/');
      const vertexId = key.slice(0, slash);
      const subtaskIndex = Number(key.slice(slash + 1));
      const file = `${vertexId}-${subtaskIndex}.state`;
      await writeFile(join(temporary, file), state);
      manifest.states.push({ vertexId, subtaskIndex, file, bytes: state.byteLength });
    }
    await writeFile(join(temporary, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(temporary, final);
  }

  async discard(checkpoint: CompletedCheckpoint): Promise<void> {
    await rm(this.folderOf(checkpoint.checkpointId), { recursive: true, force: true });
  }
}
