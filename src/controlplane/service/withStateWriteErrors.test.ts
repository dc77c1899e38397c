import { createChannel, createClient, Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClusterClientServiceDefinition,
  type ClusterClientServiceClient,
} from '../../../generated/flotilla/v1/cluster_client_service.js';
import { pino } from 'pino';
import { NotFoundError } from '../../common/errors.js';
import { startServerHost, type ServerHost } from '../../rpc/serverHost.js';
import { withUnimplemented } from '../../rpc/testing/withUnimplemented.js';
import { withStateWriteErrors } from './withStateWriteErrors.js';

const ioError = () => Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });

describe('withStateWriteErrors', () => {
  let host: ServerHost;
  let client: ClusterClientServiceClient;
  let close: () => void;

  beforeAll(async () => {
    const implementation = withUnimplemented(ClusterClientServiceDefinition, {
      async runApplication() {
        throw ioError();
      },
      async getApplication() {
        throw new NotFoundError('application "a" is not known');
      },
      async *watchApplication() {
        yield { event: undefined };
        throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      },
    });
    host = await startServerHost({
      listen: { host: '127.0.0.1', port: 0 },
      logger: pino({ level: 'silent' }),
      services: [
        {
          definition: ClusterClientServiceDefinition,
          implementation: withStateWriteErrors(ClusterClientServiceDefinition, implementation, '/state'),
        } as never,
      ],
    });
    const channel = createChannel(host.address);
    close = () => channel.close();
    client = createClient(ClusterClientServiceDefinition, channel);
  });
  afterAll(async () => {
    close();
    await host.shutdown();
  });

  it('answers a unary call whose state write failed with what the state dir needs, not INTERNAL', async () => {
    await expect(client.runApplication({} as never)).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      details: expect.stringContaining(
        'the control plane cannot write its state in /state: the disk failed a read or write (SQLITE_IOERR_WRITE)',
      ),
    });
  });

  it('ends a stream whose state write failed with RESOURCE_EXHAUSTED for a full disk, after what it had sent', async () => {
    const received: unknown[] = [];
    const watching = (async () => {
      for await (const response of client.watchApplication({ applicationId: 'a', afterSequence: 0n, follow: true }))
        received.push(response);
    })();
    await expect(watching).rejects.toMatchObject({
      code: Status.RESOURCE_EXHAUSTED,
      details: expect.stringContaining('the disk is full (SQLITE_FULL)'),
    });
    expect(received).toHaveLength(1);
  });

  it('leaves other errors to the usual mapping', async () => {
    await expect(client.getApplication({ applicationId: 'a' })).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });
});
