/**
 * Debian's Go toolchain for the cross-language tests: whether it is usable (the tests fail, never
 * skip, and say what to install when it is not) and the Go client example (clients/go) built offline
 * in GOPATH mode against code generated from proto/ at test time by clients/go/generate.sh.
 * Generated at test time rather than checked in: there is no second copy of the contracts to keep in
 * sync with proto/, and each run proves that the generation a user follows still works.
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './processes.js';
import { describeRun, runProgram } from './programs.js';
import { tempDir } from './tempDir.js';

/** Debian's Go 1.19, whose GOPATH packages under /usr/share/gocode the build uses. */
export const GO = '/usr/bin/go';
export const GOFMT = '/usr/bin/gofmt';
/** The Go client example a user copies. */
export const GO_CLIENT = join(ROOT, 'clients', 'go');
/** The Debian packages the build needs (the 1-5 package, not golang-goprotobuf-dev 1.3, whose generated code panics). */
const GO_PACKAGES = [
  'golang-go',
  'protobuf-compiler',
  'libprotobuf-dev',
  'protoc-gen-go',
  'protoc-gen-go-grpc',
  'golang-google-grpc-dev',
  'golang-google-protobuf-dev',
  'golang-github-golang-protobuf-1-5-dev',
];

/**
 * The environment of `go`: GOPATH mode, Debian's tools first on PATH, and a build cache of its own
 * (kept between runs under the temp dir, one per user), so that nothing depends on $HOME.
 */
export function goEnvironment(gopath: string): NodeJS.ProcessEnv {
  return {
    PATH: `/usr/bin:${process.env.PATH ?? ''}`,
    GO111MODULE: 'off',
    GOPATH: `${gopath}:/usr/share/gocode`,
    GOCACHE: join(tmpdir(), `flotilla-go-build-cache-${process.getuid?.() ?? 'user'}`),
    GOENV: 'off',
    GOFLAGS: '',
  };
}

/** Returns why the Go toolchain is unusable, or undefined when it is fine. */
export function missingGoToolchain(): string | undefined {
  const probe = spawnSync('dpkg-query', ['-W', '-f', '${Package} ${Status}\\n', ...GO_PACKAGES], { encoding: 'utf8' });
  if (probe.error)
    return `dpkg-query cannot run (${probe.error.message}); the Go client test needs Debian's ${GO_PACKAGES.join(' ')}`;
  const installed = new Set(
    probe.stdout
      .split('\n')
      .filter((line) => line.endsWith(' install ok installed'))
      .map((line) => line.split(' ')[0]),
  );
  const missing = GO_PACKAGES.filter((name) => !installed.has(name));
  return missing.length
    ? `the Debian packages ${missing.join(' ')} are missing. To run the Go client test: sudo apt-get install -y ${missing.join(' ')}`
    : undefined;
}

/** Generates the Go code into a new GOPATH and builds clients/go there; resolves with the binary's path and the GOPATH. */
export async function buildGoClient(): Promise<{ binary: string; gopath: string }> {
  const gopath = tempDir('flotilla-gopath-');
  const env = goEnvironment(gopath);
  const generated = await runProgram('bash', [join(GO_CLIENT, 'generate.sh'), gopath], { env });
  if (generated.code !== 0) throw new Error(describeRun('clients/go/generate.sh', generated));
  const binary = join(gopath, 'bin', 'run_application');
  // A cold build cache compiles grpc-go and protobuf from source: minutes on a busy 2-core machine.
  const built = await runProgram(GO, ['build', '-o', binary, './clients/go'], { cwd: ROOT, env, timeoutMs: 540_000 });
  if (built.code !== 0) throw new Error(describeRun('go build ./clients/go', built));
  return { binary, gopath };
}
