import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { Status } from 'nice-grpc';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ExchangeDataRequest,
  TaskExecutorServiceDefinition,
} from '../../generated/flotilla/v1/task_executor_service.js';
import { startServerHost, type ServerHost } from './serverHost.js';
import { withUnimplemented } from './testing/withUnimplemented.js';

/** Bytes no protobuf decoder accepts: field 0 is not a field. */
const GARBAGE = Buffer.from([0x05]);
const raw = (bytes: Buffer) => bytes;

describe('requests that do not decode', () => {
  let host: ServerHost;
  let client: Client;
  const seen: unknown[] = [];

  beforeAll(async () => {
    const implementation = withUnimplemented(TaskExecutorServiceDefinition, {
      heartbeat: async () => ({ taskExecutorId: 'te-1', slots: [], runningExecutionAttemptIds: [] }),
      async *exchangeData(requests) {
        for await (const request of requests) seen.push(request);
      },
    });
    host = await startServerHost({
      listen: { host: '127.0.0.1', port: 0 },
      logger: pino({ level: 'silent' }),
      services: [{ definition: TaskExecutorServiceDefinition, implementation } as never],
    });
    client = new Client(host.address, credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await host.shutdown();
  });

  it('answer INVALID_ARGUMENT naming the RPC, not INTERNAL', async () => {
    const error = await new Promise<ServiceError | null>((resolve) =>
      client.makeUnaryRequest(
        '/flotilla.v1.TaskExecutorService/Heartbeat',
        raw,
        raw,
        GARBAGE,
        new Metadata(),
        {},
        (failure) => resolve(failure),
      ),
    );
    expect(error).toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining(
        'a request message of flotilla.v1.TaskExecutorService/Heartbeat does not decode',
      ),
    });
  });

  it('end a stream at the first message that does not decode, after the handler had the ones before', async () => {
    const call = client.makeBidiStreamRequest(
      '/flotilla.v1.TaskExecutorService/ExchangeData',
      raw,
      raw,
      new Metadata(),
      {},
    );
    const ended = new Promise<{ code: number; details: string }>((resolve) => call.on('status', resolve));
    call.on('error', () => undefined);
    call.on('data', () => undefined);
    call.write(
      Buffer.from(ExchangeDataRequest.encode({ message: { $case: 'addCredit', addCredit: { credit: 1 } } }).finish()),
    );
    call.write(GARBAGE);
    call.end();
    expect(await ended).toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('ExchangeData does not decode'),
    });
    expect(seen).toEqual([{ message: { $case: 'addCredit', addCredit: { credit: 1 } } }]);
  });
});
