// Regenerates generated/ from proto/: ts-proto code for nice-grpc and the descriptor set that
// gRPC server reflection serves (our protos plus the vendored health and reflection protocols).
// CI runs this and fails when the result differs from what is committed.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const buf = (...args) => execFileSync('npx', ['--no-install', 'buf', ...args], { cwd: root, stdio: 'inherit' });

buf('generate', 'proto');
buf('build', '--as-file-descriptor-set', '-o', 'generated/flotilla.binpb');
