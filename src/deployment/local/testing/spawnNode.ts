/**
 * Plain node processes for the tests of local cluster processes: started as a cluster process is
 * (LocalProcess.spawn, detached, output in files of a temporary folder), and killed, their folders
 * removed, by {@link killSpawned}, which a test file runs after its tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemberRole } from '../../DeploymentTarget.js';
import { LocalProcess } from '../LocalProcess.js';

const started: LocalProcess[] = [];
const folders: string[] = [];

/** A detached node process running `script` as cluster member `role` number `index`, with its output in files. */
export function spawnNode(script: string, role: MemberRole = 'jobmanager', index = 0): LocalProcess {
  const folder = mkdtempSync(join(tmpdir(), 'flotilla-test-'));
  folders.push(folder);
  const process = LocalProcess.spawn({
    member: { role, index },
    folder,
    command: globalThis.process.execPath,
    args: ['-e', script],
    env: globalThis.process.env,
    cwd: folder,
  });
  started.push(process);
  return process;
}

/** Kills every process {@link spawnNode} started and removes their folders. */
export function killSpawned(): void {
  for (const process of started.splice(0)) process.signal('SIGKILL');
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
}
