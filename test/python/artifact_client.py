#!/usr/bin/python3
"""A Python client of Flotilla's control plane, for the cross-language test.

Run with Debian's /usr/bin/python3 (python3-grpcio), against stubs made by generate_stubs.py:

  artifact_client.py --address 127.0.0.1:PORT --stubs DIR

It checks, through code generated from the repository's protos:
  1. grpc.health.v1.Health/Check answers SERVING (overall and for flotilla.v1.ClusterClientService);
  2. GetArtifact of a random sha256 that was never uploaded is NOT_FOUND;
  3. GetArtifact of an id that is not 64 lowercase hex characters is INVALID_ARGUMENT;
  4. UploadArtifact (header, then chunks) of a small artifact whose sha256 Python computes stores it,
     GetArtifact then returns the same id, size and file name, and a second upload is already_stored.

Prints one JSON object on stdout (the summary) and exits 0 only if every check passed.
"""
import argparse
import hashlib
import json
import io
import os
import tarfile
import sys
import traceback

SERVICE = 'flotilla.v1.ClusterClientService'
CHUNK_BYTES = 1000  # small, so the upload is several messages


def bundle_bytes():
    """A bundle as the control plane accepts it: a gzipped tar with a package.json (and random bytes, so it is new)."""
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode='w:gz') as tar:
        for name, content in (('package.json', b'{"name": "python-client", "type": "module"}'), ('noise.bin', os.urandom(2500))):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return archive.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--address', required=True, help='HOST:PORT of the control plane')
    parser.add_argument('--stubs', required=True, help='folder made by generate_stubs.py')
    parser.add_argument('--timeout', type=float, default=15.0, help='deadline of each call, in seconds')
    args = parser.parse_args()

    summary = {'ok': False, 'checks': {}, 'errors': []}
    try:
        run(args, summary)
    except Exception:  # noqa: BLE001 - reported in the summary
        summary['errors'].append(traceback.format_exc())
    summary['ok'] = not summary['errors'] and all(summary['checks'].values()) and bool(summary['checks'])
    print(json.dumps(summary, indent=None, sort_keys=True))
    sys.exit(0 if summary['ok'] else 1)


def run(args, summary):
    checks, errors = summary['checks'], summary['errors']

    def expect(name, actual, expected):
        passed = actual == expected
        checks[name] = passed
        if not passed:
            errors.append(f'{name}: expected {expected!r}, got {actual!r}')
        return passed

    import grpc  # python3-grpcio; must not be shadowed by anything in the stubs folder
    summary['grpcio'] = grpc.__version__
    summary['python'] = sys.version.split()[0]
    sys.path.insert(0, os.path.abspath(args.stubs))
    import google.protobuf
    from flotilla.v1 import cluster_client_service_pb2 as ccs
    from flotilla.v1 import cluster_client_service_pb2_grpc as ccs_grpc
    from flotilla.v1 import common_pb2
    from flotilla_grpc_health.v1 import health_pb2, health_pb2_grpc
    summary['protobuf'] = google.protobuf.__version__
    # The real grpcio, not a generated folder named grpc.
    expect('grpcio_not_shadowed', os.path.abspath(grpc.__file__).startswith(os.path.abspath(args.stubs)), False)

    with grpc.insecure_channel(args.address) as channel:
        grpc.channel_ready_future(channel).result(timeout=args.timeout)
        health = health_pb2_grpc.HealthStub(channel)
        client = ccs_grpc.ClusterClientServiceStub(channel)
        serving = health_pb2.HealthCheckResponse.ServingStatus.Name(health_pb2.HealthCheckResponse.SERVING)

        overall = health.Check(health_pb2.HealthCheckRequest(service=''), timeout=args.timeout)
        summary['health'] = health_pb2.HealthCheckResponse.ServingStatus.Name(overall.status)
        expect('health_serving', summary['health'], serving)
        per_service = health.Check(health_pb2.HealthCheckRequest(service=SERVICE), timeout=args.timeout)
        summary['health_service'] = health_pb2.HealthCheckResponse.ServingStatus.Name(per_service.status)
        expect('health_service_serving', summary['health_service'], serving)

        missing = hashlib.sha256(os.urandom(32)).hexdigest()
        summary['missing_status'] = status_of(lambda: client.GetArtifact(
            ccs.GetArtifactRequest(artifact_id=missing), timeout=args.timeout))
        expect('get_missing_not_found', summary['missing_status'], grpc.StatusCode.NOT_FOUND.name)

        summary['malformed_status'] = status_of(lambda: client.GetArtifact(
            ccs.GetArtifactRequest(artifact_id='NOT-a-sha256'), timeout=args.timeout))
        expect('get_malformed_invalid_argument', summary['malformed_status'], grpc.StatusCode.INVALID_ARGUMENT.name)

        data = bundle_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        file_name = 'python-client.tgz'

        def requests():
            yield ccs.UploadArtifactRequest(header=common_pb2.ArtifactHeader(
                sha256=sha256, size_bytes=len(data), file_name=file_name))
            for start in range(0, len(data), CHUNK_BYTES):
                yield ccs.UploadArtifactRequest(chunk=data[start:start + CHUNK_BYTES])

        uploaded = client.UploadArtifact(requests(), timeout=args.timeout)
        summary['upload'] = {
            'id': uploaded.artifact.id,
            'size_bytes': uploaded.artifact.size_bytes,
            'file_name': uploaded.artifact.file_name,
            'already_stored': uploaded.already_stored,
        }
        expect('upload_id', uploaded.artifact.id, sha256)
        expect('upload_size', uploaded.artifact.size_bytes, len(data))
        expect('upload_not_already_stored', uploaded.already_stored, False)

        got = client.GetArtifact(ccs.GetArtifactRequest(artifact_id=sha256), timeout=args.timeout).artifact
        summary['artifact'] = {
            'id': got.id,
            'size_bytes': got.size_bytes,
            'file_name': got.file_name,
            'create_time': got.create_time.ToJsonString() if got.HasField('create_time') else None,
        }
        summary['expected'] = {'id': sha256, 'size_bytes': len(data), 'file_name': file_name}
        expect('get_id', got.id, sha256)
        expect('get_size', got.size_bytes, len(data))
        expect('get_file_name', got.file_name, file_name)
        expect('get_has_create_time', got.HasField('create_time') and got.create_time.seconds > 0, True)

        again = client.UploadArtifact(requests(), timeout=args.timeout)
        summary['reupload_already_stored'] = again.already_stored
        expect('reupload_already_stored', again.already_stored, True)


def status_of(call):
    """The name of the gRPC status `call` ends with: OK or the error code."""
    import grpc
    try:
        call()
        return grpc.StatusCode.OK.name
    except grpc.RpcError as error:
        return error.code().name


if __name__ == '__main__':
    main()
