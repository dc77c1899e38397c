/**
 * Cross-language check: a Python client, using code generated from proto/ by Debian's protoc and
 * grpc_python_plugin, talks to a real control plane (health, GetArtifact, UploadArtifact).
 * Needs the Debian packages python3-grpcio, protobuf-compiler and protobuf-compiler-grpc; when they
 * are missing the test fails (it is never skipped) and says what to install.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, type ServerProcess } from './support/processes.js';
import { tempDir } from './support/tempDir.js';

/** Debian's python: the python3 first on PATH may be a pyenv build that cannot see python3-grpcio. */
const PYTHON = '/usr/bin/python3';
const PROTOC = '/usr/bin/protoc';
const GRPC_PYTHON_PLUGIN = '/usr/bin/grpc_python_plugin';
const APT_PACKAGES = 'python3-grpcio protobuf-compiler protobuf-compiler-grpc';
const INSTALL_HINT = `install the Debian packages with: sudo apt-get install -y ${APT_PACKAGES}`;
const SCRIPTS = join(ROOT, 'test', 'python');

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Returns why the Python toolchain is unusable, or undefined when it is fine. */
function missingToolchain(): string | undefined {
  const problems: string[] = [];
  if (!existsSync(PYTHON)) problems.push(`${PYTHON} is missing (package python3)`);
  if (!existsSync(PROTOC)) problems.push(`${PROTOC} is missing (package protobuf-compiler)`);
  if (!existsSync(GRPC_PYTHON_PLUGIN))
    problems.push(`${GRPC_PYTHON_PLUGIN} is missing (package protobuf-compiler-grpc)`);
  if (existsSync(PYTHON)) {
    const probe = spawnSync(
      PYTHON,
      ['-c', 'import grpc, google.protobuf; print(grpc.__version__, google.protobuf.__version__)'],
      { encoding: 'utf8' },
    );
    if (probe.status !== 0)
      problems.push(
        `${PYTHON} cannot import grpc/google.protobuf (package python3-grpcio): ${probe.stderr.trim().split('\n').pop()}`,
      );
  }
  return problems.length ? `${problems.join('; ')}. To run the cross-language test, ${INSTALL_HINT}` : undefined;
}

describe('a Python client generated from proto/', () => {
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    server = await startServer('controlplane', ['--state-dir', tempDir('flotilla-xlang-state-')]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('has the Debian Python gRPC toolchain (never skipped)', () => {
    const missing = missingToolchain();
    if (missing) expect.fail(missing);
  });

  it('checks health, GetArtifact and UploadArtifact against a real control plane', async () => {
    const missing = missingToolchain();
    if (missing) expect.fail(missing);

    const stubs = tempDir('flotilla-python-stubs-');
    const generated = await run(PYTHON, [
      join(SCRIPTS, 'generate_stubs.py'),
      '--repo',
      ROOT,
      '--out',
      stubs,
      '--protoc',
      PROTOC,
      '--grpc-plugin',
      GRPC_PYTHON_PLUGIN,
    ]);
    expect(generated.code, `generate_stubs.py failed:\n${generated.stderr}${generated.stdout}`).toBe(0);
    const generation = JSON.parse(generated.stdout.trim().split('\n').pop()!) as { protoc: string; modules: string[] };
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

    const client = await run(PYTHON, [
      join(SCRIPTS, 'artifact_client.py'),
      '--address',
      server!.address,
      '--stubs',
      stubs,
    ]);
    const context = `artifact_client.py exited with ${client.code}\nstdout:\n${client.stdout}\nstderr:\n${client.stderr}\nserver log:\n${server!.stderr()}`;
    expect(client.code, context).toBe(0);
    const summary = JSON.parse(client.stdout.trim().split('\n').pop()!) as {
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
    };
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
