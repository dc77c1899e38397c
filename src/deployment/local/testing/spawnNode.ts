/**
 * Plain node processes for the tests of local cluster processes: started as a cluster process is
 * (LocalProcess.spawn, detached, output in files of a temporary folder), and killed by
 * {@link killSpawned}, which a test file runs after its tests.
 */
import { tempDir } from '../../../../test/support/tempDir.js';
import type { MemberRole } from '../../DeploymentTarget.js';
import { LocalProcess } from '../LocalProcess.js';

const started: LocalProcess[] = [];

/** A detached node process running `script` as cluster member `role` number `index`, with its output in files. */
export function spawnNode(script: string, role: MemberRole = 'jobmanager', index = 0): LocalProcess {
  const folder = tempDir();
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

/** Kills every process {@link spawnNode} started. */
export function killSpawned(): void {
  for (const process of started.splice(0)) process.signal('SIGKILL');
}
