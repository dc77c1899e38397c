/**
 * The heartbeats of client-side main()s with several control-plane replicas on one PostgreSQL
 * database (issue 14 part 2: any replica answers any call), on real processes: a client whose
 * heartbeats all reach the replica that does not watch its application is not taken as lost, since
 * the heartbeat is recorded in the database and the watching replica reads it there; a client that
 * sends none is, by the watching replica alone.
 */
import { describe, expect, it } from 'vitest';
import { ApplicationStatus, SubmissionMode } from '../../generated/flotilla/v1/status.js';
import { driverRequest, uploadDriverApp, watchAll } from '../controlplane/controlPlaneTesting.js';
import { replicaSetsForFile } from '../support/replicaSet.js';

/** How long a client may stay silent in this test. */
const HEARTBEAT_TIMEOUT_SECONDS = 3;

const startReplicaSet = replicaSetsForFile();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('client heartbeats across control-plane replicas', () => {
  it('keeps a client whose heartbeats reach only the replica that does not watch its application, and takes a silent one as lost', async () => {
    const set = await startReplicaSet(2, [
      '--follower-lease-seconds',
      '2',
      '--client-heartbeat-timeout',
      `${HEARTBEAT_TIMEOUT_SECONDS}s`,
    ]);
    const [a, b] = set.live();
    const artifactId = await uploadDriverApp(a!.address);
    // Per-job applications: main() runs in the client, and nothing is deployed before it submits a job.
    const perJob = (name: string) => driverRequest(artifactId, { mode: SubmissionMode.PER_JOB, name });
    const beating = (await a!.client.runApplication(perJob('beating'))).application!.id;
    const silent = (await a!.client.runApplication(perJob('silent'))).application!.id;
    // Accepted by a: a holds both applications' leases, so a watches their clients.
    const holderOf = async (subjectId: string) =>
      (await set.leases()).find((lease) => lease.subject_id === subjectId)?.holder;
    const holder = await holderOf(beating);
    expect(holder).toMatch(new RegExp(`/${a!.process.child.pid}/`));
    expect(await holderOf(silent)).toBe(holder);

    // Every heartbeat of the first client goes to b, for four timeouts.
    const until = Date.now() + 4 * HEARTBEAT_TIMEOUT_SECONDS * 1000;
    while (Date.now() < until) {
      const answer = await b!.client.reportClientHeartbeat({ applicationId: beating });
      expect(answer.timeoutMs).toBe(BigInt(HEARTBEAT_TIMEOUT_SECONDS * 1000));
      await sleep(500);
    }
    // a still watches both (nothing moved the leases), and took only the silent client as lost.
    expect(await holderOf(beating)).toBe(holder);
    expect((await b!.client.getApplication({ applicationId: beating })).application!.status).toBe(
      ApplicationStatus.RUNNING,
    );
    const lost = (await b!.client.getApplication({ applicationId: silent })).application!;
    expect(lost.status).toBe(ApplicationStatus.FAILED);
    expect(lost.failure).toMatchObject({
      name: 'ClientLostError',
      message: expect.stringContaining('sent no heartbeat'),
    });
    expect(
      set
        .logLines()
        .filter(({ line }) => line.msg === 'client lost')
        .map(({ index, line }) => [index, line.applicationId]),
    ).toEqual([[0, silent]]);

    // The first client's main() returns, reported to b as well: its application ends FINISHED.
    await b!.client.completeClientMain({ applicationId: beating, failure: undefined });
    const events = await watchAll(a!.client, beating, 0, true);
    expect(events.at(-1)!.kind).toMatchObject({
      $case: 'applicationStatusChanged',
      applicationStatusChanged: { status: ApplicationStatus.FINISHED },
    });
  }, 120_000);
});
