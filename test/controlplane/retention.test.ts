/**
 * Retention on a real control plane: with --retention-count 1, the older of two finished
 * applications is compacted; it still answers GetApplication, a watch from its last event still
 * learns the outcome, and a watch or a driver log read from before what was kept answers
 * OUT_OF_RANGE naming the oldest sequence or offset still available.
 */
import { createChannel, createClient, Status, type ClientError } from 'nice-grpc';
import { describe, expect, it } from 'vitest';
import {
  ClusterClientServiceDefinition,
  type ClusterClientServiceClient,
} from '../../generated/flotilla/v1/cluster_client_service.js';
import { ApplicationStatus } from '../../generated/flotilla/v1/status.js';
import { startServer } from '../support/processes.js';
import { tempDir } from '../support/tempDir.js';
import { describeEvent, driverRequest, endedApplication, uploadDriverApp, watchAll } from './controlPlaneTesting.js';

async function readLog(client: ClusterClientServiceClient, applicationId: string, offset: number): Promise<Buffer> {
  const pieces: Uint8Array[] = [];
  for await (const piece of client.readDriverLog({ applicationId, offset: BigInt(offset), follow: true }))
    pieces.push(piece.data);
  return Buffer.concat(pieces);
}

/** The error a call failed with, or undefined when it succeeded. */
async function failureOf(call: () => Promise<unknown>): Promise<ClientError | undefined> {
  try {
    await call();
    return undefined;
  } catch (error) {
    return error as ClientError;
  }
}

describe('retention', () => {
  it('compacts finished applications past --retention-count; reading from before what is kept is OUT_OF_RANGE naming the oldest still available', async () => {
    const server = await startServer('controlplane', [
      '--state-dir',
      tempDir(),
      '--retention-count',
      '1',
      '--retention-interval',
      '200ms',
      '--retention-log-tail',
      '40',
    ]);
    const channel = createChannel(server.address);
    const client = createClient(ClusterClientServiceDefinition, channel);
    const artifactId = await uploadDriverApp(server.address);
    const run = async () => {
      const { application } = await client.runApplication(
        driverRequest(artifactId, { entry: 'talk.mjs#main', args: ['9', '0'] }),
      );
      const ended = await endedApplication(client, application!.id);
      expect(ended.status).toBe(ApplicationStatus.FINISHED);
      return {
        id: ended.id,
        events: await watchAll(client, ended.id, 0, false),
        log: await readLog(client, ended.id, 0),
      };
    };
    const older = await run();
    const last = Number(older.events.at(-1)!.sequence);
    expect(describeEvent(older.events.at(-1)!)).toBe('application FINISHED');
    expect(older.log.toString()).toContain('line 9 to stderr\n');
    const newer = await run();

    // The older one is compacted at the next pass.
    await expect
      .poll(async () => (await failureOf(() => watchAll(client, older.id, 0, true)))?.code, { timeout: 30_000 })
      .toBe(Status.OUT_OF_RANGE);
    const watchFailure = await failureOf(() => watchAll(client, older.id, last - 2, true));
    expect(watchFailure).toMatchObject({
      code: Status.OUT_OF_RANGE,
      details: expect.stringContaining(
        `the oldest event still available is ${last} (watch with after_sequence ${last - 1} or more)`,
      ),
    });
    // It is still known, and a watch from its last event learns how it ended.
    expect((await client.getApplication({ applicationId: older.id })).application!.status).toBe(
      ApplicationStatus.FINISHED,
    );
    expect((await watchAll(client, older.id, last - 1, true)).map(describeEvent)).toEqual(['application FINISHED']);

    // Of its driver log, the tail stays: exactly the end of what it was.
    const logFailure = await failureOf(() => readLog(client, older.id, 0));
    expect(logFailure?.code).toBe(Status.OUT_OF_RANGE);
    const oldestOffset = Number(/the oldest offset kept is (\d+)/.exec(logFailure!.details)?.[1]);
    expect(oldestOffset).toBeGreaterThan(0);
    expect(older.log.byteLength - oldestOffset).toBeLessThanOrEqual(40);
    expect((await readLog(client, older.id, oldestOffset)).toString()).toBe(
      older.log.subarray(oldestOffset).toString(),
    );

    // The newest is kept whole.
    expect((await watchAll(client, newer.id, 0, true)).map((event) => event.sequence)).toEqual(
      newer.events.map((event) => event.sequence),
    );
    expect((await readLog(client, newer.id, 0)).toString()).toBe(newer.log.toString());
    channel.close();
    await server.stop();
  });
});
