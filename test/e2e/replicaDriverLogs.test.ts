/**
 * ReadDriverLog on any replica (issue 14 part 3), on real processes: three `flotilla controlplane
 * --store postgresql://…` replicas on one throwaway PostgreSQL 15 database, a real local cluster,
 * and the CLI's `flotilla logs --follow` given two replicas that do not follow the application's
 * cluster. Only the follower copies the driver's output into the database; the reader's replica
 * reads it from the table, woken by LISTEN/NOTIFY. The replica being read from is killed with
 * SIGKILL mid-stream and the CLI resumes on the next one from the byte offset it reached: every line
 * arrives once, in order, the first while the application still runs.
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReadDriverLogResponse } from '../../generated/flotilla/v1/cluster_client_service.js';
import { ApplicationStatus } from '../../generated/flotilla/v1/status.js';
import { DRIVER_APP, talkOutput } from '../controlplane/controlPlaneTesting.js';
import type { TestControlPlane } from '../support/controlPlane.js';
import { runCli, startCli } from '../support/processes.js';
import { replicaSetsForFile } from '../support/replicaSet.js';
import { sharedDir } from '../support/tempDir.js';

/** How many lines the driver writes, and its pause after each (8 s in all once its gate opens). */
const LINES = 40;
const PAUSE_MS = 200;

const startReplicaSet = replicaSetsForFile();

describe('driver logs on any replica', () => {
  it('follows a driver log live on a replica that does not copy it, and resumes on another from the offset reached when that replica is killed', async () => {
    const set = await startReplicaSet(3);
    const [a, b, c] = set.live() as [TestControlPlane, TestControlPlane, TestControlPlane];
    // talk.mjs writes its first line, waits at the gate, then the other lines, every third to stderr.
    const gate = join(sharedDir(), 'gate');
    const run = await runCli(
      ['run', '-D', '-c', 'talk.mjs#main', DRIVER_APP, String(LINES), String(PAUSE_MS), gate],
      a.env,
    );
    expect(run.code).toBe(0);
    const applicationId = run.stdout.trim();
    // Accepted by a: a deployed its cluster and follows it, so a alone copies the driver's output.
    await expect
      .poll(async () => (await c.client.getApplication({ applicationId })).application!.status, {
        timeout: 60_000,
        interval: 100,
      })
      .toBe(ApplicationStatus.RUNNING);
    const { clusterId } = (await c.client.getApplication({ applicationId })).application!;
    expect(await set.follower(clusterId)).toBe(set.replicas[0]);

    // The reader knows b and c only; it reads on b, the first of its list.
    const logs = startCli(['logs', applicationId, '--follow'], {
      FLOTILLA_CONTROLPLANE: `${b.address},${c.address}`,
    });
    // Live: the first line arrives while main() waits at the gate.
    await expect.poll(logs.stdout, { timeout: 60_000, interval: 50 }).toBe('line 1 to stdout\n');
    expect((await c.client.getApplication({ applicationId })).application!.status).toBe(ApplicationStatus.RUNNING);
    writeFileSync(gate, '');

    // Mid-stream (a fifth of the lines read, the application running for 6 s more), b is killed.
    await expect.poll(logs.stdout, { timeout: 30_000, interval: 20 }).toContain('line 8 to stdout\n');
    await set.kill(set.replicas[1]!);
    const application = (await c.client.getApplication({ applicationId })).application!;
    expect(ApplicationStatus[application.status]).toBe('RUNNING');
    expect(logs.stdout()).not.toContain(`line ${LINES - 1} to stdout\n`);

    // The CLI resumes on c from the offset it reached, and ends with the application.
    const code = await Promise.race([
      once(logs.child, 'exit').then(([exit]) => exit as number | null),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 60_000)),
    ]);
    if (code === undefined) {
      const status = (await c.client.getApplication({ applicationId })).application!.status;
      throw new Error(
        `flotilla logs --follow did not end within 60 s (the application is ${ApplicationStatus[status]}); it printed:\n${logs.stdout()}\n--- stderr:\n${logs.stderr()}`,
      );
    }
    expect(code).toBe(0);
    const resumed = [
      ...logs
        .stderr()
        .matchAll(/^flotilla logs: connection to the control plane lost; resuming at offset (\d+) on (\S+)$/gm),
    ].map((match) => [Number(match[1]), match[2]] as const);
    expect(resumed.map(([, address]) => address)).toEqual([c.address]);
    // Every byte once, in order: stdout and stderr are exactly what the driver wrote to each.
    expect(logs.stdout()).toBe(talkOutput(LINES).stdout);
    expect(logs.stderr().replace(/^flotilla logs: connection to the control plane lost.*\n/gm, '')).toBe(
      talkOutput(LINES).stderr,
    );

    // The stored log, read whole on the follower, is what b and c gave the reader together; the
    // resume offset fell inside it (b gave the bytes before it, c those after).
    const pieces: ReadDriverLogResponse[] = [];
    for await (const piece of a.client.readDriverLog({ applicationId, offset: 0n, follow: false })) pieces.push(piece);
    const whole = Buffer.concat(pieces.map((piece) => piece.data));
    expect(whole.byteLength).toBe(
      Buffer.byteLength(talkOutput(LINES).stdout) + Buffer.byteLength(talkOutput(LINES).stderr),
    );
    const [offset] = resumed[0]!;
    expect(offset).toBeGreaterThanOrEqual(Buffer.byteLength(talkOutput(8).stdout));
    expect(offset).toBeLessThan(whole.byteLength);
    expect(ApplicationStatus[(await c.client.getApplication({ applicationId })).application!.status]).toBe('FINISHED');
  }, 120_000);
});
