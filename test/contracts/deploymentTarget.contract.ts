/**
 * The contract of a deployment target (src/deployment/DeploymentTarget.ts), as a suite every
 * implementation runs unchanged: local processes, simulated clusters, and later Kubernetes. It is
 * the definition of "behaves the same": a cluster's members are seen by role and index with their
 * liveness, a killed member is seen exited with its reason, a member's log is read through the
 * target, a fresh target instance (a restarted control plane) attaches by the reference the first
 * one handed out and sees the same members, a teardown leaves no member running, and a deployment
 * that fails or is aborted stops what it started. Each test is bounded in time and asserts
 * outcomes, never speeds.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DeploymentError } from '../../src/deployment/DeploymentError.js';
import type {
  ClusterDeploymentRequest,
  ClusterHandle,
  ClusterMember,
  DeploymentProgress,
  DeploymentTarget,
  MemberStatus,
} from '../../src/deployment/DeploymentTarget.js';

/** What the suite needs of an implementation. */
export interface DeploymentTargetFixture {
  /** A new instance of the target; each one over the same machine (cluster, platform), as a restarted control plane makes. */
  target(): DeploymentTarget;
  /** An instance over the same machine whose deployments fail: a member ends while the cluster starts. */
  failingTarget(): DeploymentTarget;
  /** Ends a member of a deployed cluster from outside the target, as `kill -9` or a lost node would. */
  killMember(handle: ClusterHandle, member: ClusterMember): void | Promise<void>;
  /** How long a deployment, a teardown or a change of liveness may take here, in milliseconds. */
  timeoutMs: number;
}

const JOB_MANAGER: ClusterMember = { role: 'jobmanager', index: 0 };
const FIRST_TASK_EXECUTOR: ClusterMember = { role: 'taskexecutor', index: 0 };

/** What a deployment reported, in order. */
interface Reported {
  events: string[];
  reference?: string;
  address?: string;
}

function recordingProgress(reported: Reported, onListening: () => void = () => undefined): DeploymentProgress {
  return {
    onRecorded(reference) {
      reported.events.push('recorded');
      reported.reference = reference;
    },
    onJobManagerListening(address) {
      reported.events.push('listening');
      reported.address = address;
      onListening();
    },
  };
}

const running = (members: MemberStatus[]) => members.filter((member) => member.phase === 'running');
const alive = (members: MemberStatus[]) =>
  members.filter((member) => member.phase === 'running' || member.phase === 'starting');
const names = (members: MemberStatus[]) => members.map((member) => member.name);

/** Runs the deployment-target contract against the implementation `makeFixture` gives. */
export function describeDeploymentTargetContract(name: string, makeFixture: () => DeploymentTargetFixture): void {
  describe(`deployment target contract: ${name}`, () => {
    const fixture = makeFixture();
    const deployed: ClusterHandle[] = [];
    afterAll(async () => {
      await Promise.all(deployed.map((handle) => handle.kill().catch(() => undefined)));
    });

    const request = (taskExecutors: number): ClusterDeploymentRequest => ({
      clusterId: `cluster-contract-${randomBytes(4).toString('hex')}`,
      taskExecutors,
      slotsPerTaskExecutor: 1,
      clusterSecret: randomBytes(32).toString('base64url'),
    });

    const deploy = async (target: DeploymentTarget, taskExecutors: number) => {
      const reported: Reported = { events: [] };
      const asked = request(taskExecutors);
      const handle = await target.deploy(asked, recordingProgress(reported), new AbortController().signal);
      deployed.push(handle);
      return { handle, reported, request: asked };
    };

    const eventually = (read: () => Promise<unknown>) =>
      expect.poll(read, { timeout: fixture.timeoutMs, interval: 100 });

    it('deploys a cluster whose every member runs, recorded before the job manager listens', async () => {
      const { handle, reported, request: asked } = await deploy(fixture.target(), 2);
      expect(reported.events).toEqual(['recorded', 'listening']);
      expect(reported.reference).toEqual(expect.any(String));
      expect(reported.reference).not.toBe('');
      expect(reported.address).toMatch(/^\S+:\d+$/);
      expect(handle.clusterId).toBe(asked.clusterId);
      expect(handle.reference).toBe(reported.reference);
      const members = await handle.members();
      expect(members.map(({ role, index, name: member }) => ({ role, index, name: member }))).toEqual([
        { role: 'jobmanager', index: 0, name: 'jobmanager' },
        { role: 'taskexecutor', index: 0, name: 'taskexecutor-0' },
        { role: 'taskexecutor', index: 1, name: 'taskexecutor-1' },
      ]);
      expect(running(members)).toHaveLength(3);
      expect(members.every((member) => member.exitReason === undefined)).toBe(true);
    });

    it("reads a member's log through the target, whole or its end", async () => {
      const { handle } = await deploy(fixture.target(), 1);
      await eventually(async () => (await handle.readLog(JOB_MANAGER)).length).toBeGreaterThan(0);
      const whole = await handle.readLog(JOB_MANAGER);
      const end = await handle.readLog(JOB_MANAGER, { tailBytes: 16 });
      expect(Buffer.byteLength(end)).toBeLessThanOrEqual(16);
      expect(whole.endsWith(end)).toBe(true);
      expect(typeof (await handle.readLog(FIRST_TASK_EXECUTOR))).toBe('string');
      await expect(handle.readLog({ role: 'taskexecutor', index: 99 })).rejects.toMatchObject({
        name: 'NotFoundError',
      });
    });

    it('sees a killed member exited, with the reason, while the others run on', async () => {
      const { handle } = await deploy(fixture.target(), 1);
      await fixture.killMember(handle, FIRST_TASK_EXECUTOR);
      await eventually(async () => (await handle.members())[1]?.phase).toBe('exited');
      const [jobManager, killed] = await handle.members();
      expect(killed).toMatchObject({ role: 'taskexecutor', index: 0, phase: 'exited' });
      expect(killed!.exitReason).toEqual(expect.any(String));
      expect(killed!.exitReason).not.toBe('');
      expect(jobManager!.phase).toBe('running');
      // The killed member's log is still there to read.
      expect(typeof (await handle.readLog(FIRST_TASK_EXECUTOR))).toBe('string');
    });

    it('attaches from a fresh target instance by the reference, seeing the same members, and tears down through it', async () => {
      const { handle, request: asked } = await deploy(fixture.target(), 1);
      const restarted = fixture.target();
      const attached = restarted.attach({
        clusterId: asked.clusterId,
        reference: handle.reference,
        clusterSecret: asked.clusterSecret,
      });
      expect(attached.clusterId).toBe(asked.clusterId);
      expect(attached.reference).toBe(handle.reference);
      const members = await attached.members();
      expect(names(members)).toEqual(['jobmanager', 'taskexecutor-0']);
      expect(running(members)).toHaveLength(2);
      expect(typeof (await attached.readLog(JOB_MANAGER))).toBe('string');

      // A member killed now is seen exited by the attached handle too.
      await fixture.killMember(attached, FIRST_TASK_EXECUTOR);
      await eventually(async () => (await attached.members())[1]?.phase).toBe('exited');
      expect((await attached.members())[1]!.exitReason).toEqual(expect.any(String));

      await attached.tearDown('the contract test is done with it');
      expect(alive(await attached.members())).toEqual([]);
      // The first handle learns of exits it did not cause as they are reported to it (a child's exit
      // event, a pod's status), so it sees them shortly after, not necessarily at once.
      await eventually(async () => alive(await handle.members())).toEqual([]);
    });

    it('tears a cluster down leaving no member running, as a fresh instance sees it too', async () => {
      const { handle, request: asked } = await deploy(fixture.target(), 1);
      await handle.tearDown('the contract test is done with it');
      expect(alive(await handle.members())).toEqual([]);
      const attached = fixture.target().attach({
        clusterId: asked.clusterId,
        reference: handle.reference,
        clusterSecret: asked.clusterSecret,
      });
      expect(alive(await attached.members())).toEqual([]);
      // A second teardown has nothing left to do.
      await handle.tearDown('again');
    });

    it('rejects a deployment that fails, naming the member, and stops everything it started', async () => {
      const reported: Reported = { events: [] };
      const asked = request(1);
      const failure = await fixture
        .failingTarget()
        .deploy(asked, recordingProgress(reported), new AbortController().signal)
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(failure).toBeInstanceOf(DeploymentError);
      expect((failure as Error).message).toMatch(/jobmanager|taskexecutor-\d+/);
      expect(reported.reference).toEqual(expect.any(String));
      const attached = fixture.target().attach({
        clusterId: asked.clusterId,
        reference: reported.reference!,
        clusterSecret: asked.clusterSecret,
      });
      deployed.push(attached);
      expect(alive(await attached.members())).toEqual([]);
    });

    it('rejects a deployment aborted while it runs, and stops everything it started', async () => {
      const controller = new AbortController();
      const reported: Reported = { events: [] };
      const asked = request(1);
      const target = fixture.target();
      const outcome = await target
        .deploy(
          asked,
          recordingProgress(reported, () => controller.abort()),
          controller.signal,
        )
        .then(
          (handle) => {
            deployed.push(handle);
            return 'deployed';
          },
          () => 'rejected',
        );
      expect(outcome).toBe('rejected');
      expect(reported.events).toEqual(['recorded', 'listening']);
      const attached = fixture.target().attach({
        clusterId: asked.clusterId,
        reference: reported.reference!,
        clusterSecret: asked.clusterSecret,
      });
      deployed.push(attached);
      expect(alive(await attached.members())).toEqual([]);
    });

    it('starts nothing when the caller cannot record the reference, and rejects with why', async () => {
      const asked = request(1);
      let reference: string | undefined;
      const progress: DeploymentProgress = {
        onRecorded: async (given) => {
          reference = given;
          throw new Error('the state store takes no writes');
        },
        onJobManagerListening: () => undefined,
      };
      await expect(fixture.target().deploy(asked, progress, new AbortController().signal)).rejects.toThrow(
        'the state store takes no writes',
      );
      const attached = fixture.target().attach({ clusterId: asked.clusterId, reference: reference! });
      expect(alive(await attached.members())).toEqual([]);
    });

    it('starts nothing for a deployment aborted before it began', async () => {
      const controller = new AbortController();
      controller.abort();
      const reported: Reported = { events: [] };
      await expect(
        fixture.target().deploy(request(1), recordingProgress(reported), controller.signal),
      ).rejects.toThrow();
      expect(reported.events).toEqual([]);
    });

    it('attaches to a cluster it has no record of (no reference) as one with no member running', async () => {
      const attached = fixture.target().attach({ clusterId: request(1).clusterId, reference: '' });
      expect(alive(await attached.members())).toEqual([]);
      await attached.kill();
    });
  });
}
