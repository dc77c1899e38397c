/**
 * `flotilla logs` end to end, through the CLI, on real processes: --follow prints the driver's
 * output while the application runs (stdout to stdout, stderr to stderr) and ends with it;
 * --offset N prints exactly the rest of a finished application's log; a follow survives a restart
 * of the control plane, resuming where it was without repeating or skipping a byte.
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReadDriverLogResponse } from '../../generated/flotilla/v1/cluster_client_service.js';
import { LogStream } from '../../generated/flotilla/v1/common.js';
import { ApplicationStatus } from '../../generated/flotilla/v1/status.js';
import { DRIVER_APP, talkOutput } from '../controlplane/controlPlaneTesting.js';
import { startControlPlane } from '../support/controlPlane.js';
import { runCli, startCli, startServer } from '../support/processes.js';
import { sharedDir } from '../support/tempDir.js';

/**
 * Runs the driver app's talk.mjs (`count` lines, waiting at a gate after the first) and
 * `flotilla logs APP --follow`; resolves once the first line is printed, with a way to open the gate.
 */
async function talkAndFollow(env: NodeJS.ProcessEnv, count: number) {
  const gate = join(sharedDir(), 'gate');
  const run = await runCli(['run', '-D', '-c', 'talk.mjs#main', DRIVER_APP, String(count), '10', gate], env);
  expect(run.code).toBe(0);
  const applicationId = run.stdout.trim();
  const logs = startCli(['logs', applicationId, '--follow'], env);
  // The first line is printed while main() waits for the gate, not at the end.
  await expect.poll(logs.stdout, { timeout: 60_000 }).toBe('line 1 to stdout\n');
  return { applicationId, logs, openGate: () => writeFileSync(gate, '') };
}

describe('flotilla logs', () => {
  it('--follow prints the output as the driver writes it and ends with the application; --offset N prints exactly the rest', async () => {
    const controlPlane = await startControlPlane();
    const { applicationId, logs, openGate } = await talkAndFollow(controlPlane.env, 8);
    expect((await controlPlane.client.getApplication({ applicationId })).application!.status).toBe(
      ApplicationStatus.RUNNING,
    );
    openGate();
    const [code] = (await once(logs.child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(logs.stdout()).toBe(talkOutput(8).stdout);
    expect(logs.stderr()).toBe(talkOutput(8).stderr);

    // From an offset, each stream gets exactly its bytes at or past the offset.
    const pieces: ReadDriverLogResponse[] = [];
    for await (const piece of controlPlane.client.readDriverLog({ applicationId, offset: 0n, follow: false }))
      pieces.push(piece);
    const whole = Buffer.concat(pieces.map((piece) => piece.data));
    const rest = (offset: number, stream: LogStream) =>
      Buffer.concat(
        pieces
          .filter((piece) => piece.stream === stream)
          .map((piece) => piece.data.subarray(Math.max(0, offset - Number(piece.offset)))),
      ).toString();
    for (const offset of [0, 5, 17, 50, whole.byteLength]) {
      const {
        code: exit,
        stdout,
        stderr,
      } = await runCli(['logs', applicationId, '--offset', String(offset)], controlPlane.env);
      expect(exit).toBe(0);
      expect(stdout).toBe(rest(offset, LogStream.STDOUT));
      expect(stderr).toBe(rest(offset, LogStream.STDERR));
    }
    const past = await runCli(['logs', applicationId, '--offset', String(whole.byteLength + 1)], controlPlane.env);
    expect(past.code).toBe(1);
    expect(past.stderr).toContain(`offset ${whole.byteLength + 1} is past the end of the driver log`);
    const unknown = await runCli(['logs', 'app-nope'], controlPlane.env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/flotilla logs: application "app-nope" is not known/);
  }, 120_000);

  it('stops quietly, exit 0, when its reader goes away (flotilla logs APP | head)', async () => {
    const controlPlane = await startControlPlane();
    // Lines alternate between streams, so the log is many pieces and many writes.
    const run = await runCli(
      ['run', '-D', '--follow', '-c', 'talk.mjs#main', DRIVER_APP, '3000', '0'],
      controlPlane.env,
    );
    expect(run.code).toBe(0);
    const logs = startCli(['logs', run.stdout.trim()], controlPlane.env);
    logs.child.stdout!.once('data', () => logs.child.stdout!.destroy());
    const [code] = (await once(logs.child, 'exit')) as [number];
    expect(logs.stderr()).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  }, 120_000);

  it('a follow resumes after the control plane restarts, without repeating or skipping a byte', async () => {
    const controlPlane = await startControlPlane();
    const { logs, openGate } = await talkAndFollow(controlPlane.env, 30);

    // The control plane goes away while the driver waits; the application goes on without it.
    await controlPlane.process.stop('SIGTERM');
    openGate();
    await expect
      .poll(logs.stderr, { timeout: 30_000 })
      .toContain('connection to the control plane lost; resuming at offset 17');
    await startServer('controlplane', ['--state-dir', controlPlane.stateDir, '--listen', controlPlane.address]);

    const [code] = (await once(logs.child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(logs.stdout()).toBe(talkOutput(30).stdout);
    expect(logs.stderr().replace(/^flotilla logs: connection to the control plane lost.*\n/gm, '')).toBe(
      talkOutput(30).stderr,
    );
  }, 120_000);
});
