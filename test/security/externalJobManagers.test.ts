/**
 * `-m HOST:PORT` on a control plane with two tenants and listed job managers
 * (--external-jobmanager): a listener a tenant starts and names gets no connection at all (so no
 * secret); a listed job manager works with its own secret; every address that cannot be used (not
 * listed, another tenant's job manager, an unused port, a listed one that is silent or has another
 * secret) fails with the same status and text; and ids and page tokens a tenant gets carry no count
 * of the records another tenant made.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterClientServiceClient } from '../../generated/flotilla/v1/cluster_client_service.js';
import { ApplicationStatus } from '../../generated/flotilla/v1/status.js';
import { uploadBundle } from '../../src/client/uploadBundle.js';
import { JOB_MANAGER_NOT_USABLE_MESSAGE } from '../../src/controlplane/clusters/JobManagerNotUsableError.js';
import { DRIVER_APP, driverRequest, endedApplication } from '../controlplane/controlPlaneTesting.js';
import { startControlPlane, type TestControlPlane } from '../support/controlPlane.js';
import { ROOT, runCli, startServer, type ServerProcess } from '../support/processes.js';
import { tempDir } from '../support/tempDir.js';
import { securedClient, securedConnection, TOKEN_A, TOKEN_B, writeAuthConfig } from './securityTesting.js';

const SECRET_A = 'secret-of-the-job-manager-of-a-0123';
const SECRET_B = 'secret-of-the-job-manager-of-b-4567';
const SECRET_C = 'secret-of-the-job-manager-of-c-89ab';
const EXAMPLE = join(ROOT, 'examples/wordcount');

/** A TCP listener on loopback that keeps every connection and byte it gets, as a tenant's trap would. */
class RecordingListener {
  readonly connections: Buffer[][] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor() {
    this.server = createServer((socket) => {
      const received: Buffer[] = [];
      this.connections.push(received);
      this.sockets.add(socket);
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** Everything received, on every connection. */
  bytes(): Buffer {
    return Buffer.concat(this.connections.flat());
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A loopback port nobody listens at (it was free a moment ago). */
async function unusedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}

function secretFile(secret: string): string {
  const file = join(tempDir('flotilla-jm-secret-'), 'secret');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return file;
}

/** The 5 hex digits after an id's millisecond, as a number. */
const idSuffix = (id: string) => parseInt(id.slice(-5), 16);
/** Whether `later` is the very next id after `earlier` by a shared counter. */
const counted = (earlier: string, later: string) => (idSuffix(later) - idSuffix(earlier) + 2 ** 20) % 2 ** 20 === 1;

describe('-m on a control plane with listed job managers and two tenants', () => {
  const trap = new RecordingListener();
  let trapAddress: string;
  let unused: string;
  let silentListed: string;
  let jobmanagerA: ServerProcess;
  let jobmanagerB: ServerProcess;
  let jobmanagerC: ServerProcess;
  let authConfig: string;
  let controlPlane: TestControlPlane;
  let a: ClusterClientServiceClient;
  let b: ClusterClientServiceClient;
  let artifactId: string;

  beforeAll(async () => {
    trapAddress = await trap.listen();
    unused = await unusedPort();
    silentListed = await unusedPort();
    const [fileA, fileB, fileC] = [secretFile(SECRET_A), secretFile(SECRET_B), secretFile(SECRET_C)];
    [jobmanagerA, jobmanagerB, jobmanagerC] = await Promise.all(
      [fileA, fileB, fileC].map((file) => startServer('jobmanager', ['--cluster-secret-file', file])),
    );
    await startServer('taskexecutor', ['--jobmanager', jobmanagerA.address, '--cluster-secret-file', fileA]);
    authConfig = writeAuthConfig();
    controlPlane = await startControlPlane([
      '--auth-config',
      authConfig,
      '--external-jobmanager',
      `team-a@${jobmanagerA.address}=${fileA}`,
      '--external-jobmanager',
      `team-b@${jobmanagerB.address}=${fileB}`,
      // Listed for team-a with a secret it was not started with.
      '--external-jobmanager',
      `team-a@${jobmanagerC.address}=${secretFile('not-the-secret-of-the-job-manager-of-c')}`,
      '--external-jobmanager',
      `team-a,team-b@${silentListed}=${fileA}`,
    ]);
    a = securedClient(controlPlane.address, { bearerToken: TOKEN_A });
    b = securedClient(controlPlane.address, { bearerToken: TOKEN_B });
    artifactId = (await uploadBundle(securedConnection(controlPlane.address, { bearerToken: TOKEN_A }), DRIVER_APP))
      .artifactId;
  });

  afterAll(() => trap.close());

  const cliEnv = (token: string) => ({ ...controlPlane.env, FLOTILLA_TOKEN: token });

  it("sends nothing to a listener the tenant names: no connection, and the tenant's run fails with the one message", async () => {
    const { code, stderr } = await runCli(
      ['run', '-m', trapAddress, EXAMPLE, '2', join(tempDir(), 'out')],
      cliEnv(TOKEN_A),
    );
    expect(code).toBe(1);
    expect(stderr).toContain(`JobManagerNotUsableError: ${JOB_MANAGER_NOT_USABLE_MESSAGE}`);
    expect(trap.connections).toEqual([]);
    expect(trap.bytes().includes(SECRET_A)).toBe(false);
    // Nor does the control plane log a secret while it refuses.
    expect(controlPlane.process.stderr()).not.toMatch(/secret-of-the-job-manager/);
  }, 60_000);

  it('runs a tenant on the job manager listed for it, with its secret, and sends nothing to the trap meanwhile', async () => {
    const output = join(tempDir(), 'counts');
    const { code, stderr } = await runCli(['run', '-m', jobmanagerA.address, EXAMPLE, '2', output], cliEnv(TOKEN_A));
    expect(stderr).not.toContain('JobManagerNotUsableError');
    expect(code).toBe(0);
    expect(readFileSync(join(output, 'part-0'), 'utf8').length).toBeGreaterThan(0);
    const { clusters } = await a.listClusters({ pageSize: 0, pageToken: '', statuses: [] });
    expect(clusters.map((cluster) => [cluster.deploymentTarget, cluster.jobmanagerAddress])).toContainEqual([
      'external',
      jobmanagerA.address,
    ]);
    expect(trap.connections).toEqual([]);
  }, 120_000);

  it("answers another tenant's job manager, an unused port, the trap, a silent listed address and a wrong secret alike", async () => {
    const unusable = [jobmanagerB.address, unused, trapAddress, silentListed, jobmanagerC.address];
    const failures = [];
    for (const address of unusable) {
      const { application } = await a.runApplication(
        driverRequest(artifactId, { cluster: { target: { $case: 'jobmanagerAddress', jobmanagerAddress: address } } }),
      );
      const ended = await endedApplication(a, application!.id);
      expect(ended.status).toBe(ApplicationStatus.FAILED);
      expect(ended.clusterId).toBe('');
      failures.push(ended.failure);
    }
    expect(failures[0]).toMatchObject({ name: 'JobManagerNotUsableError', message: JOB_MANAGER_NOT_USABLE_MESSAGE });
    // Byte for byte the same, stack included: nothing tells which check refused the address.
    for (const failure of failures) expect(failure).toEqual(failures[0]);
    // Through the CLI too: the same exit code and the same error line for another tenant's job manager and an unused port.
    const lines = [];
    for (const address of [jobmanagerB.address, unused]) {
      const { code, stderr } = await runCli(
        ['run', '-m', address, EXAMPLE, '2', join(tempDir(), 'o')],
        cliEnv(TOKEN_A),
      );
      lines.push([
        code,
        stderr
          .split('\n')
          .filter((line) => line.includes('cannot be used'))
          .map(withoutTimesAndIds),
      ]);
    }
    expect(lines[0]).toEqual(lines[1]);
    expect(lines[0][1]).not.toEqual([]);
    // Tenant B's own listing works for B: the job manager exists, only A may not use it.
    const { application } = await b.runApplication(
      driverRequest(artifactId, {
        cluster: { target: { $case: 'jobmanagerAddress', jobmanagerAddress: jobmanagerB.address } },
      }),
    );
    // Its job manager has no task executor, so B's driver waits for a slot there; it is on that cluster all the same.
    await expect
      .poll(async () => (await b.getApplication({ applicationId: application!.id })).application!.clusterId, {
        timeout: 30_000,
        interval: 100,
      })
      .not.toBe('');
    await b.cancelApplication({ applicationId: application!.id });
    expect((await endedApplication(b, application!.id)).failure?.name).not.toBe('JobManagerNotUsableError');
    expect(trap.connections).toEqual([]);
    // The control plane logged why it refused each address, and no secret with it.
    expect(controlPlane.process.stderr()).toContain('refused -m: the listed job manager did not answer');
    expect(controlPlane.process.stderr()).not.toMatch(/secret-of-the-job-manager/);
  }, 180_000);

  it("gives a tenant ids and page tokens that carry no count of another tenant's records", async () => {
    const unusableRun = (client: ClusterClientServiceClient) =>
      client.runApplication(
        driverRequest(artifactId, { cluster: { target: { $case: 'jobmanagerAddress', jobmanagerAddress: unused } } }),
      );
    const ofB = [];
    for (let index = 0; index < 5; index++) ofB.push((await unusableRun(b)).application!.id);
    const ofA = [(await unusableRun(a)).application!.id, (await unusableRun(a)).application!.id];
    // A shared counter would make A's first id B's last plus one, and A's second its first plus one.
    expect(counted(ofB[4], ofA[0]) && counted(ofA[0], ofA[1])).toBe(false);
    for (const id of ofA) await endedApplication(a, id);
    for (const id of ofB) await endedApplication(b, id);

    // The same tenant on a fresh control plane, where no other tenant made anything.
    const fresh = await startControlPlane(['--auth-config', authConfig]);
    const freshA = securedClient(fresh.address, { bearerToken: TOKEN_A });
    const freshArtifact = (await uploadBundle(securedConnection(fresh.address, { bearerToken: TOKEN_A }), DRIVER_APP))
      .artifactId;
    const existing = (await a.listApplications({ pageSize: 0, pageToken: '', statuses: [] })).applications.length;
    for (let index = 0; index < existing; index++) {
      const { application } = await freshA.runApplication(
        driverRequest(freshArtifact, {
          cluster: { target: { $case: 'jobmanagerAddress', jobmanagerAddress: unused } },
        }),
      );
      await endedApplication(freshA, application!.id);
    }
    const tokensOf = async (client: ClusterClientServiceClient) => {
      const tokens: string[] = [];
      let token = '';
      do {
        token = (await client.listApplications({ pageSize: 1, pageToken: token, statuses: [] })).nextPageToken;
        if (token) tokens.push(token);
      } while (token);
      return tokens;
    };
    const [crowded, alone] = [await tokensOf(a), await tokensOf(freshA)];
    expect(crowded.length).toBe(existing - 1);
    expect(crowded.map((token) => token.length)).toEqual(alone.map((token) => token.length));
    // Decoded, a token holds no ordinal: not the old cleartext, nor any ordinal these control planes reached, in text or bytes.
    for (const token of [...crowded, ...alone]) {
      const bytes = Buffer.from(token, 'base64url');
      expect(bytes.toString('latin1')).not.toMatch(/before|applications/);
      for (let ordinal = 1; ordinal <= existing + ofB.length + 10; ordinal++) {
        const encoded = Buffer.alloc(8);
        encoded.writeBigUInt64BE(BigInt(ordinal));
        expect(bytes.includes(encoded.subarray(4))).toBe(false);
        encoded.writeBigUInt64LE(BigInt(ordinal));
        expect(bytes.includes(encoded.subarray(0, 4))).toBe(false);
        if (ordinal >= 10) expect(bytes.toString('latin1')).not.toContain(`:${ordinal}`);
      }
    }
    // A's token is A's own: B gets INVALID_ARGUMENT, as for any crafted token.
    for (const pageToken of [crowded[0], Buffer.from('applications-before:3').toString('base64url')])
      await expect(b.listApplications({ pageSize: 1, pageToken, statuses: [] })).rejects.toMatchObject({
        code: Status.INVALID_ARGUMENT,
      });
    // And it continues A's list.
    const next = await a.listApplications({ pageSize: 1, pageToken: crowded[0], statuses: [] });
    expect(next.applications).toHaveLength(1);
  }, 180_000);
});

/** A CLI line with its time and application ids blanked. */
function withoutTimesAndIds(line: string): string {
  return line.replace(/^\d\d:\d\d:\d\d\.\d{3} /, '').replace(/app-[0-9a-f]{16}/g, 'app-…');
}
