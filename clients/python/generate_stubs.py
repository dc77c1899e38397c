#!/usr/bin/python3
"""Generates Python gRPC stubs for Flotilla's protos into an output folder (not committed).

Run with Debian's /usr/bin/python3. It uses Debian's `protoc` (protobuf-compiler 3.21, which matches
the python3-protobuf runtime) and `grpc_python_plugin` (protobuf-compiler-grpc); grpc-tools' bundled
protoc is too old for proto3 `optional`.

Layout of OUT:
  flotilla/v1/*_pb2.py, *_pb2_grpc.py      from proto/flotilla/v1/*.proto
  flotilla_grpc_health/v1/health_pb2*.py   from third_party/proto/grpc/health/v1/health.proto

The health protocol is NOT generated under a folder named `grpc`: a `grpc/` package on sys.path
would shadow the grpcio package itself (`import grpc` would find the generated folder). Instead
health.proto is copied to `<tmp>/flotilla_grpc_health/v1/health.proto` and generated from there,
so the Python module is `flotilla_grpc_health.v1.health_pb2`. The proto package inside stays
`grpc.health.v1`, so the wire names (/grpc.health.v1.Health/Check) are unchanged.

Usage: generate_stubs.py --repo ROOT --out DIR [--protoc PATH] [--grpc-plugin PATH]
Prints one JSON line describing what was generated.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HEALTH_PACKAGE = 'flotilla_grpc_health'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repo', required=True, help='repository root (holds proto/ and third_party/proto/)')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--protoc', default='/usr/bin/protoc')
    parser.add_argument('--grpc-plugin', default='/usr/bin/grpc_python_plugin')
    parser.add_argument('--include', default='/usr/include', help='folder holding google/protobuf/timestamp.proto')
    args = parser.parse_args()

    for path, package in ((args.protoc, 'protobuf-compiler'), (args.grpc_plugin, 'protobuf-compiler-grpc')):
        if not os.access(path, os.X_OK):
            sys.exit(f'{path} is missing: install it with `sudo apt-get install -y {package}`')
    timestamp = os.path.join(args.include, 'google', 'protobuf', 'timestamp.proto')
    if not os.path.isfile(timestamp):
        sys.exit(f'{timestamp} is missing: install it with `sudo apt-get install -y protobuf-compiler` (libprotobuf-dev)')

    proto_root = os.path.join(args.repo, 'proto')
    flotilla_protos = sorted(
        os.path.relpath(os.path.join(folder, name), proto_root)
        for folder, _, names in os.walk(os.path.join(proto_root, 'flotilla'))
        for name in names
        if name.endswith('.proto')
    )
    if not flotilla_protos:
        sys.exit(f'no .proto files under {proto_root}/flotilla')
    os.makedirs(args.out, exist_ok=True)

    def protoc(includes, files):
        command = [args.protoc, f'--plugin=protoc-gen-grpc_python={args.grpc_plugin}',
                   f'--python_out={args.out}', f'--grpc_python_out={args.out}']
        command += [f'-I{include}' for include in includes] + files
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f'protoc failed ({result.returncode}): {" ".join(command)}\n{result.stderr}')

    # Our protos import only each other and google/protobuf/timestamp.proto (from /usr/include;
    # its Python module ships with python3-protobuf, so it is not generated here).
    protoc([proto_root, os.path.join(args.repo, 'third_party', 'proto'), args.include], flotilla_protos)

    # Health, from a copy under a folder name that cannot shadow grpcio.
    with tempfile.TemporaryDirectory() as staging:
        folder = os.path.join(staging, HEALTH_PACKAGE, 'v1')
        os.makedirs(folder)
        shutil.copyfile(os.path.join(args.repo, 'third_party', 'proto', 'grpc', 'health', 'v1', 'health.proto'),
                        os.path.join(folder, 'health.proto'))
        protoc([staging], [f'{HEALTH_PACKAGE}/v1/health.proto'])

    # Regular packages (explicit __init__.py) so imports do not depend on namespace-package lookup.
    for folder, _, _ in os.walk(args.out):
        init = os.path.join(folder, '__init__.py')
        if folder != args.out and not os.path.exists(init):
            open(init, 'w').close()

    if os.path.exists(os.path.join(args.out, 'grpc')):
        sys.exit(f'{args.out}/grpc exists and would shadow the grpcio package')
    modules = sorted(
        os.path.relpath(os.path.join(folder, name), args.out)[:-3].replace(os.sep, '.')
        for folder, _, names in os.walk(args.out)
        for name in names
        if name.endswith('_pb2.py') or name.endswith('_pb2_grpc.py')
    )
    version = subprocess.run([args.protoc, '--version'], capture_output=True, text=True).stdout.strip()
    print(json.dumps({'protoc': version, 'out': args.out, 'modules': modules}))


if __name__ == '__main__':
    main()
