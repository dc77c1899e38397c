/**
 * The state folder of a cluster process started without `--state-dir` (a job manager, a task
 * executor): a new private folder under the system's temp dir, made by mkdtemp (a name nobody had,
 * mode 0700, never an existing folder someone else prepared), and removed when the process exits,
 * so a cluster that comes and goes leaves nothing behind in the temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Creates the scratch folder of this process's `role`; it is removed when the process exits. */
export function scratchDir(role: string): string {
  const dir = mkdtempSync(join(tmpdir(), `flotilla-${role}-`));
  // Synchronous, as 'exit' listeners must be; a process killed by a signal it does not handle keeps it.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
