/**
 * The dashboard's gRPC-Web path on its own: a real control-plane-style gRPC server (startServerHost
 * with bearer tokens and the internal socket), the dashboard's HTTP server with its bridge
 * (startWebEndpoint), and the browser's client (src/web/rpc/GrpcWebClient.ts) over Node's fetch,
 * which streams response bodies as a browser does. Checked: the framing and the trailer frame on the
 * wire, a status other than OK (NOT_FOUND, with a message that needs percent-encoding) reaching the
 * client as that status, the token reaching the server as metadata (its tenant), each streamed
 * message arriving before the server sends the next, a stream the client leaves cancelling the
 * server's call, and what the bridge refuses.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { ServerError, Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClusterClientServiceDefinition,
  GetApplicationRequest,
  GetApplicationResponse,
} from '../../generated/flotilla/v1/cluster_client_service.js';
import { ApplicationStatus } from '../../generated/flotilla/v1/status.js';
import { createLogger } from '../../src/common/logger.js';
import { startWebEndpoint, type WebEndpoint } from '../../src/cli/process/webEndpoint.js';
import { callerOf } from '../../src/rpc/security/Caller.js';
import { bearerTokenAuthentication } from '../../src/rpc/security/bearerTokenAuthentication.js';
import type { ServerSecurity } from '../../src/rpc/security/ServerSecurity.js';
import { startServerHost, type ServerHost } from '../../src/rpc/serverHost.js';
import { withUnimplemented } from '../../src/rpc/testing/withUnimplemented.js';
import { GrpcStatusError } from '../../src/web/rpc/GrpcStatusError.js';
import { GrpcWebClient } from '../../src/web/rpc/GrpcWebClient.js';
import { tempDir } from '../support/tempDir.js';

const TOKEN = 'dashboard-test-token-0123456789';
const methods = ClusterClientServiceDefinition.methods;
const logger = createLogger({ name: 'test', level: 'silent' });

/** What the server saw: tenants of calls, and the watch the test steps through. */
const seen = { tenants: [] as string[], watchCancelled: false, sent: 0 };
let releaseSecond: () => void = () => undefined;

const implementation = withUnimplemented(ClusterClientServiceDefinition, {
  async getApplication({ applicationId }, context) {
    seen.tenants.push(callerOf(context).tenant);
    if (applicationId !== 'app-1')
      throw new ServerError(Status.NOT_FOUND, `application "${applicationId}" is not known — 100% sure`);
    return { application: { id: 'app-1', name: 'wörd count', status: ApplicationStatus.RUNNING } as never };
  },
  async *watchApplication({ applicationId }, context) {
    const second = new Promise<void>((resolve) => (releaseSecond = resolve));
    const event = (sequence: bigint) => ({ event: { applicationId, sequence, time: undefined, kind: undefined } });
    seen.sent = 1;
    yield event(1n);
    await second;
    seen.sent = 2;
    yield event(2n);
    // Then nothing more until the caller leaves.
    await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve()));
    seen.watchCancelled = true;
  },
});

let server: ServerHost;
let web: WebEndpoint;
let base: string;

beforeAll(async () => {
  const security: ServerSecurity = {
    authentication: bearerTokenAuthentication((token) => (token === TOKEN ? 'team-a' : undefined)),
    securingFlags: '--tls-cert, --tls-key and --auth-config',
  };
  const socket = join(tempDir('flotilla-web-'), 'grpc.sock');
  server = await startServerHost({
    listen: { host: '127.0.0.1', port: 0 },
    logger,
    security,
    internalSocket: socket,
    services: [{ definition: ClusterClientServiceDefinition, implementation }],
  });
  web = await startWebEndpoint({
    listen: { host: '127.0.0.1', port: 0 },
    security,
    upstream: `unix:${socket}`,
    assetsDir: tempDir('flotilla-no-assets-'),
    maxMessageBytes: 1024 * 1024,
    logger,
  });
  base = `http://${web.address}`;
});

afterAll(async () => {
  await web?.close();
  await server?.shutdown();
});

const client = (token?: string) => new GrpcWebClient({ baseUrl: base, token: () => token });

/** A gRPC-Web request body of one message. */
function framed(message: Uint8Array): Uint8Array {
  const body = new Uint8Array(5 + message.length);
  new DataView(body.buffer).setUint32(1, message.length);
  body.set(message, 5);
  return body;
}

describe('the gRPC-Web bridge', () => {
  it('answers a unary call with a data frame and a trailer frame (grpc-status 0)', async () => {
    const response = await fetch(`${base}/flotilla.v1.ClusterClientService/GetApplication`, {
      method: 'POST',
      headers: { 'content-type': 'application/grpc-web+proto', authorization: `Bearer ${TOKEN}` },
      body: framed(GetApplicationRequest.encode({ applicationId: 'app-1' }).finish()),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/grpc-web+proto');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes[0]).toBe(0x00);
    const length = bytes.readUInt32BE(1);
    const answer = GetApplicationResponse.decode(bytes.subarray(5, 5 + length));
    expect(answer.application).toMatchObject({ id: 'app-1', name: 'wörd count', status: ApplicationStatus.RUNNING });
    const trailer = bytes.subarray(5 + length);
    expect(trailer[0]).toBe(0x80);
    expect(trailer.readUInt32BE(1)).toBe(trailer.length - 5);
    expect(trailer.subarray(5).toString('latin1')).toBe('grpc-status: 0\r\n');
  });

  it("passes the bearer token on as metadata: the call runs as the token's tenant", async () => {
    seen.tenants = [];
    const { application } = await client(TOKEN).unary(ClusterClientServiceDefinition, methods.getApplication, {
      applicationId: 'app-1',
    });
    expect(application?.name).toBe('wörd count');
    expect(seen.tenants).toEqual(['team-a']);
    const refused = await client()
      .unary(ClusterClientServiceDefinition, methods.getApplication, { applicationId: 'app-1' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GrpcStatusError);
    expect((refused as GrpcStatusError).code).toBe(Status.UNAUTHENTICATED);
    expect((refused as GrpcStatusError).grpcMessage).toContain('needs a bearer token');
  });

  it("brings the server's NOT_FOUND to the client as that status, its message intact", async () => {
    const error = await client(TOKEN)
      .unary(ClusterClientServiceDefinition, methods.getApplication, { applicationId: 'gone' })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(GrpcStatusError);
    expect((error as GrpcStatusError).code).toBe(Status.NOT_FOUND);
    expect((error as GrpcStatusError).grpcMessage).toBe('application "gone" is not known — 100% sure');
  });

  it('flushes each streamed message as it comes, and a stream the client leaves is cancelled on the server', async () => {
    seen.watchCancelled = false;
    const received: bigint[] = [];
    for await (const { event } of client(TOKEN).stream(ClusterClientServiceDefinition, methods.watchApplication, {
      applicationId: 'app-1',
      afterSequence: 0n,
      follow: true,
    })) {
      received.push(event!.sequence);
      // The first message arrived while the server still holds the second.
      if (received.length === 1) {
        expect(seen.sent).toBe(1);
        releaseSecond();
      }
      if (received.length === 2) break;
    }
    expect(received).toEqual([1n, 2n]);
    await expect.poll(() => seen.watchCancelled, { timeout: 10_000 }).toBe(true);
  });

  it('an aborted fetch cancels the server stream too', async () => {
    seen.watchCancelled = false;
    const controller = new AbortController();
    const stream = client(TOKEN).stream(
      ClusterClientServiceDefinition,
      methods.watchApplication,
      { applicationId: 'app-1', afterSequence: 0n, follow: true },
      controller.signal,
    );
    const first = await stream.next();
    expect(first.value?.event?.sequence).toBe(1n);
    controller.abort();
    releaseSecond();
    await expect(stream.next()).rejects.toThrow();
    await expect.poll(() => seen.watchCancelled, { timeout: 10_000 }).toBe(true);
  });

  it('answers an unknown method of the service UNIMPLEMENTED, from the server', async () => {
    const error = await client(TOKEN)
      .unary(
        ClusterClientServiceDefinition,
        { ...methods.getApplication, name: 'NoSuchMethod' },
        { applicationId: 'app-1' },
      )
      .catch((thrown: unknown) => thrown);
    expect((error as GrpcStatusError).code).toBe(Status.UNIMPLEMENTED);
  });

  it('refuses what is not a gRPC-Web call of the bridged service', async () => {
    const url = `${base}/flotilla.v1.ClusterClientService/GetApplication`;
    expect((await fetch(url)).status).toBe(405);
    const json = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
    // Another service (the dispatcher's) is not reachable through the dashboard.
    const other = await fetch(`${base}/flotilla.v1.DispatcherService/GetJob`, {
      method: 'POST',
      headers: { 'content-type': 'application/grpc-web+proto' },
      body: framed(new Uint8Array()),
    });
    expect(other.status).toBe(404);
    // A body that ends inside a frame is INVALID_ARGUMENT, as a trailer.
    const truncated = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/grpc-web+proto' },
      body: new Uint8Array([0, 0, 0, 0, 9, 1]),
    });
    const bytes = Buffer.from(await truncated.arrayBuffer());
    expect(bytes[0]).toBe(0x80);
    expect(bytes.subarray(5).toString('latin1')).toMatch(
      /^grpc-status: 3\r\ngrpc-message: the request is not gRPC-Web/,
    );
    // Without the dashboard built, its page says how to build it.
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('npm run build');
  });

  it('on loopback, answers only requests addressed to a loopback name (no DNS rebinding)', async () => {
    const statusFor = (host: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        const [hostname, port] = web.address.split(':');
        request({ hostname, port: Number(port), path: '/', headers: { host } }, (response) => {
          response.resume();
          resolve(response.statusCode);
        })
          .on('error', reject)
          .end();
      });
    expect(await statusFor('evil.example:80')).toBe(421);
    expect(await statusFor(`localhost:${web.address.split(':')[1]}`)).toBe(503);
  });
});
