/**
 * Cross-language check: a Python client, using code generated from proto/ by Debian's protoc and
 * grpc_python_plugin (clients/python/generate_stubs.py), talks to a real control plane (health,
 * GetArtifact, UploadArtifact); test/crossLanguage/ runs the whole flow with the clients/ examples.
 * Needs the Debian packages python3-grpcio, protobuf-compiler and protobuf-compiler-grpc; when they
 * are missing the test fails (it is never skipped) and says what to install.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, type ServerProcess } from './support/processes.js';
import { describeRun, lastJsonLine, runProgram } from './support/programs.js';
import { generatePythonStubs, missingPythonToolchain, PYTHON } from './support/pythonToolchain.js';
import { tempDir } from './support/tempDir.js';

const SCRIPTS = join(ROOT, 'test', 'python');

describe('a Python client generated from proto/', () => {
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    server = await startServer('controlplane', ['--state-dir', tempDir('flotilla-xlang-state-')]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('has the Debian Python gRPC toolchain (never skipped)', () => {
    const missing = missingPythonToolchain();
    if (missing) expect.fail(missing);
  });

  it('checks health, GetArtifact and UploadArtifact against a real control plane', async () => {
    const missing = missingPythonToolchain();
    if (missing) expect.fail(missing);

    const generation = await generatePythonStubs();
    const stubs = generation.folder;
    expect(generation.modules).toEqual(
      expect.arrayContaining([
        'flotilla.v1.cluster_client_service_pb2',
        'flotilla.v1.cluster_client_service_pb2_grpc',
        'flotilla_grpc_health.v1.health_pb2',
        'flotilla_grpc_health.v1.health_pb2_grpc',
      ]),
    );
    // Nothing generated may be a top-level `grpc` package: it would shadow grpcio.
    expect(generation.modules.filter((name) => name.split('.')[0] === 'grpc')).toEqual([]);
    expect(existsSync(join(stubs, 'grpc'))).toBe(false);

    const client = await runProgram(
      PYTHON,
      [join(SCRIPTS, 'artifact_client.py'), '--address', server!.address, '--stubs', stubs],
      { env: { PYTHONDONTWRITEBYTECODE: '1' } },
    );
    const context = `${describeRun('artifact_client.py', client)}\nserver log:\n${server!.stderr()}`;
    expect(client.code, context).toBe(0);
    const summary = lastJsonLine<{
      ok: boolean;
      errors: string[];
      checks: Record<string, boolean>;
      health: string;
      health_service: string;
      missing_status: string;
      malformed_status: string;
      upload: { id: string; size_bytes: number; file_name: string; already_stored: boolean };
      artifact: { id: string; size_bytes: number; file_name: string; create_time: string | null };
      expected: { id: string; size_bytes: number; file_name: string };
      reupload_already_stored: boolean;
    }>(client);
    expect(summary.errors, context).toEqual([]);
    expect(summary.ok).toBe(true);
    expect(Object.values(summary.checks).every(Boolean), context).toBe(true);
    expect(summary.health).toBe('SERVING');
    expect(summary.health_service).toBe('SERVING');
    expect(summary.missing_status).toBe('NOT_FOUND');
    expect(summary.malformed_status).toBe('INVALID_ARGUMENT');
    expect(summary.expected.id).toMatch(/^[0-9a-f]{64}$/);
    expect(summary.upload).toEqual({ ...summary.expected, already_stored: false });
    expect(summary.artifact).toMatchObject(summary.expected);
    expect(Number.isNaN(Date.parse(summary.artifact.create_time ?? ''))).toBe(false);
    expect(summary.reupload_already_stored).toBe(true);
  });
});
