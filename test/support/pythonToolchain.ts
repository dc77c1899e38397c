/**
 * Debian's Python gRPC toolchain for the cross-language tests: whether it is usable (the tests fail,
 * never skip, and say what to install when it is not) and stubs generated from proto/ by
 * clients/python/generate_stubs.py.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './processes.js';
import { describeRun, lastJsonLine, runProgram } from './programs.js';
import { tempDir } from './tempDir.js';

/** Debian's python: the python3 first on PATH may be a pyenv build that cannot see python3-grpcio. */
export const PYTHON = '/usr/bin/python3';
const PROTOC = '/usr/bin/protoc';
const GRPC_PYTHON_PLUGIN = '/usr/bin/grpc_python_plugin';
const APT_PACKAGES = 'python3-grpcio protobuf-compiler protobuf-compiler-grpc libprotobuf-dev';
/** The Python client examples a user copies. */
export const PYTHON_CLIENTS = join(ROOT, 'clients', 'python');

/** Returns why the Python toolchain is unusable, or undefined when it is fine. */
export function missingPythonToolchain(): string | undefined {
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
  return problems.length
    ? `${problems.join('; ')}. To run the cross-language tests, install the Debian packages with: sudo apt-get install -y ${APT_PACKAGES}`
    : undefined;
}

/** What generate_stubs.py reports. */
export interface PythonStubs {
  /** The folder to put on sys.path (--stubs of the clients). */
  folder: string;
  protoc: string;
  /** The generated modules, such as "flotilla.v1.cluster_client_service_pb2". */
  modules: string[];
}

/** Generates the Python stubs into a new temporary folder; throws with generate_stubs.py's output when it fails. */
export async function generatePythonStubs(): Promise<PythonStubs> {
  const folder = tempDir('flotilla-python-stubs-');
  const generated = await runProgram(
    PYTHON,
    [
      join(PYTHON_CLIENTS, 'generate_stubs.py'),
      '--repo',
      ROOT,
      '--out',
      folder,
      '--protoc',
      PROTOC,
      '--grpc-plugin',
      GRPC_PYTHON_PLUGIN,
    ],
    { env: { PYTHONDONTWRITEBYTECODE: '1' } },
  );
  if (generated.code !== 0) throw new Error(describeRun('generate_stubs.py', generated));
  const { protoc, modules } = lastJsonLine<Omit<PythonStubs, 'folder'>>(generated);
  return { folder, protoc, modules };
}
