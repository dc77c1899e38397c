/**
 * Checkpoints in a folder (Flink's FileSystemCheckpointStorage), one folder per checkpoint:
 *
 * ```
 * <dir>/<jobId>/chk-<id>/<vertexId>-<subtaskIndex>.state   each subtask's snapshot (v8-serialized)
 * <dir>/<jobId>/chk-<id>/_metadata                          the manifest (JSON), written last
 * ```
 *
 * A checkpoint is written into `chk-<id>.inprogress` and renamed when whole (CheckpointManifest.ts),
 * so a `chk-<id>` folder is always complete and has its manifest; a crash leaves at most an
 * `.inprogress` folder, which the next store of the same job removes.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointStorage } from './CheckpointStorage.js';
import type { CompletedCheckpoint } from './CompletedCheckpoint.js';
import { writeCheckpointFolder, type ManifestHeader } from './CheckpointManifest.js';

export { MANIFEST_FILE, type CheckpointManifest } from './CheckpointManifest.js';

/** Writes the checkpoints of one job under `<directory>/<jobId>/`. */
export class FileSystemCheckpointStorage implements CheckpointStorage {
  private readonly jobFolder: string;
  private cleaned = false;

  constructor(
    directory: string,
    jobId: string,
    private readonly header: ManifestHeader,
  ) {
    this.jobFolder = join(directory, jobId);
  }

  /** The folder of checkpoint `checkpointId`. */
  folderOf(checkpointId: number): string {
    return join(this.jobFolder, `chk-${checkpointId}`);
  }

  async store(checkpoint: CompletedCheckpoint): Promise<string> {
    await mkdir(this.jobFolder, { recursive: true });
    if (!this.cleaned) {
      this.cleaned = true;
      for (const name of await readdir(this.jobFolder))
        if (name.endsWith('.inprogress')) await rm(join(this.jobFolder, name), { recursive: true, force: true });
    }
    const folder = this.folderOf(checkpoint.checkpointId);
    await writeCheckpointFolder(folder, checkpoint, this.header);
    return folder;
  }

  async discard(checkpoint: CompletedCheckpoint): Promise<void> {
    await rm(this.folderOf(checkpoint.checkpointId), { recursive: true, force: true });
  }
}
