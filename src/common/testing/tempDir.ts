/** Temporary folders for tests, removed when the test file ends. */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];
afterAll(() => {
  for (const folder of made) {
    rmSync(folder, { recursive: true, force: true });
    // A control plane given the folder as its state dir keeps its clusters' folders beside it.
    rmSync(`${folder}-clusters`, { recursive: true, force: true });
  }
});

/** Makes a new empty folder under the system's temp dir. */
export function tempDir(prefix = 'flotilla-test-'): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  made.push(folder);
  return folder;
}

/**
 * Makes a new empty folder under the system's temp dir that every user may use (mode 1777, as the
 * temp dir itself): for what a test hands to the processes of clusters a control plane deployed
 * (output folders, gate files), which run as users of their own when the control plane runs as root.
 */
export function sharedDir(prefix = 'flotilla-shared-'): string {
  const folder = tempDir(prefix);
  chmodSync(folder, 0o1777);
  return folder;
}
