#!/usr/bin/python3
"""Runs a Flotilla bundle in driver mode from Python, through stubs generated from proto/.

A small client to copy: it does what `flotilla run -D --follow` does, with nothing but grpcio and
the generated code.

  1. packs the bundle folder into a .tgz (or takes a .tgz as it is) and uploads it (UploadArtifact:
     a header with the sha256, then chunks);
  2. runs it in driver mode (RunApplication, SUBMISSION_MODE_DRIVER): the control plane deploys a
     cluster for it and runs main() there as a driver job;
  3. watches it until it ends (WatchApplication, follow): when a stream breaks (UNAVAILABLE, or the
     deliberate disconnect of --disconnect-after), it asks again after the last sequence it saw, so
     every event arrives once and in order; it checks that the sequences run 1, 2, 3... without a gap;
  4. reads what main() printed (ReadDriverLog);
  5. lists the application's jobs (ListJobs, every page).

Run with Debian's /usr/bin/python3 (python3-grpcio), after generating the stubs:

  /usr/bin/python3 clients/python/generate_stubs.py --repo . --out /tmp/flotilla-stubs
  /usr/bin/python3 clients/python/run_application.py --address 127.0.0.1:6180 --stubs /tmp/flotilla-stubs \
      examples/wordcount 3 /tmp/ranking

Arguments after the bundle go to main(). With --json, it prints one JSON object (what it saw) on
stdout instead of the readable report. It exits 0 when the application FINISHED, 1 otherwise; a call
the control plane refuses ends it with the call's name, the status and the control plane's message.
"""
import argparse
import contextlib
import hashlib
import io
import json
import os
import sys
import tarfile
import time
import uuid

CHUNK_BYTES = 256 * 1024
SKIPPED = {'.git', '.hg', '.svn'}
# How long a lost watch is retried before the client gives up, in seconds.
RECONNECT_FOR_S = 60.0
# The application statuses after which nothing changes.
TERMINAL = {'APPLICATION_STATUS_FINISHED', 'APPLICATION_STATUS_FAILED', 'APPLICATION_STATUS_CANCELED'}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--address', required=True, help='HOST:PORT of the control plane')
    parser.add_argument('--stubs', required=True, help='folder made by generate_stubs.py')
    parser.add_argument('--name', default='',
                        help="the application's name (default: the folder's package name; for a .tgz, the control plane's choice)")
    parser.add_argument('--entry', default='', metavar='MODULE#EXPORT',
                        help="the entry point, Flink's -c (default: the package's main module and its main export)")
    parser.add_argument('--disconnect-after', type=int, default=0, metavar='N',
                        help='close the watch once after N events and resume from the last sequence seen (a demonstration)')
    parser.add_argument('--json', action='store_true', help='print one JSON object instead of the readable report')
    parser.add_argument('bundle', help='a bundle folder (with a package.json) or a .tgz of one')
    parser.add_argument('args', nargs=argparse.REMAINDER, help='arguments of main()')
    options = parser.parse_args()

    # The stubs folder holds flotilla/ and flotilla_grpc_health/, never a grpc/ that would shadow grpcio.
    sys.path.insert(0, os.path.abspath(options.stubs))
    import grpc
    from flotilla.v1 import cluster_client_service_pb2_grpc as ccs_grpc

    with grpc.insecure_channel(options.address) as channel:
        client = ccs_grpc.ClusterClientServiceStub(channel)
        try:
            report = run(client, options)
        except CallFailed as error:
            sys.exit(f'run_application.py: {error}')
    if options.json:
        print(json.dumps(report, sort_keys=True))
    else:
        print_report(report)
    sys.exit(0 if report['status'] == 'APPLICATION_STATUS_FINISHED' else 1)


class CallFailed(Exception):
    """A call the control plane answered with an error status."""


@contextlib.contextmanager
def calling(name):
    """Turns a failed call into CallFailed naming the call, the status and the control plane's message."""
    import grpc
    try:
        yield
    except grpc.RpcError as error:
        raise CallFailed(f'{name}: {error.code().name}: {error.details()}') from error


def run(client, options):
    """The whole flow; returns what it saw as plain data."""
    data, file_name, package_name = pack_bundle(options.bundle)
    with calling('UploadArtifact'):
        artifact_id, already_stored = upload(client, data, file_name)
    with calling('RunApplication'):
        application = run_driver(client, artifact_id, options.name or package_name, options.entry, options.args)
    with calling('WatchApplication'):
        watch = watch_to_end(client, application.id, options.disconnect_after)
    with calling('ReadDriverLog'):
        log = read_driver_log(client, application.id)
    with calling('ListJobs'):
        jobs = list_jobs(client, application.id)
    from flotilla.v1 import status_pb2
    return {
        'artifact_id': artifact_id,
        'already_stored': already_stored,
        'application_id': application.id,
        'status': watch['final_status'],
        'streams': watch['streams'],
        'sequences': [event['sequence'] for event in watch['events']],
        'events': watch['events'],
        'driver_log': log,
        'jobs': [{
            'id': job.id,
            'name': job.name,
            'status': status_pb2.JobStatus.Name(job.status),
            'application_id': job.application_id,
            'cluster_id': job.cluster_id,
        } for job in jobs],
    }


def pack_bundle(path):
    """The bytes of the bundle's .tgz, the file name to show and the package's name (or '')."""
    if os.path.isfile(path):
        if not path.endswith(('.tgz', '.tar.gz')):
            sys.exit(f'{path} is a file but not a .tgz; a bundle is a folder with a package.json, or a .tgz of one')
        with open(path, 'rb') as file:
            return file.read(), os.path.basename(path), ''
    manifest = os.path.join(path, 'package.json')
    if not os.path.isfile(manifest):
        sys.exit(f'{path} has no package.json; a bundle is a folder with a package.json (and its node_modules)')
    try:
        with open(manifest, encoding='utf-8') as file:
            package_name = str(json.load(file).get('name') or '')
    except ValueError:
        package_name = ''  # the control plane checks the bundle and says what is wrong with it
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode='w:gz') as tar:
        for folder, folders, names in os.walk(path):
            folders[:] = sorted(name for name in folders if name not in SKIPPED)
            for name in sorted(names):
                full = os.path.join(folder, name)
                tar.add(full, arcname=os.path.relpath(full, path), recursive=False)
    return archive.getvalue(), os.path.basename(os.path.normpath(path)) + '.tgz', package_name


def upload(client, data, file_name):
    """Stores the bundle; returns its artifact id (the sha256) and whether the store had it already."""
    from flotilla.v1 import cluster_client_service_pb2 as ccs
    from flotilla.v1 import common_pb2
    sha256 = hashlib.sha256(data).hexdigest()

    def requests():
        yield ccs.UploadArtifactRequest(header=common_pb2.ArtifactHeader(
            sha256=sha256, size_bytes=len(data), file_name=file_name))
        for start in range(0, len(data), CHUNK_BYTES):
            yield ccs.UploadArtifactRequest(chunk=data[start:start + CHUNK_BYTES])

    response = client.UploadArtifact(requests(), timeout=60)
    if response.artifact.id != sha256:
        raise RuntimeError(f'the control plane stored {response.artifact.id}, not {sha256}')
    return response.artifact.id, response.already_stored


def run_driver(client, artifact_id, name, entry, args):
    """Asks the control plane to run the bundle in driver mode; returns the accepted application."""
    from flotilla.v1 import cluster_client_service_pb2 as ccs
    from flotilla.v1 import job_graph_pb2, status_pb2
    request = ccs.RunApplicationRequest(
        # The same request id on a retry returns the first application instead of starting a second.
        request_id=str(uuid.uuid4()),
        name=name,
        bundle=job_graph_pb2.BundleReference(artifact_id=artifact_id),
        entry=entry,
        args=args,
        mode=status_pb2.SUBMISSION_MODE_DRIVER,
    )
    return client.RunApplication(request, timeout=60).application


def watch_to_end(client, application_id, disconnect_after):
    """Every event of the application until it ends, resuming from the last sequence after a broken stream."""
    import grpc
    from flotilla.v1 import cluster_client_service_pb2 as ccs
    after, status = 0, None
    events, streams = [], []
    disconnected = disconnect_after <= 0
    lost_since = None
    while status not in TERMINAL:
        stream = client.WatchApplication(
            ccs.WatchApplicationRequest(application_id=application_id, after_sequence=after, follow=True))
        seen = {'after_sequence': after, 'sequences': [], 'ended_by': 'server'}
        streams.append(seen)
        try:
            for response in stream:
                lost_since = None
                event = response.event
                if event.sequence != after + 1:
                    raise RuntimeError(f'event {event.sequence} arrived after {after}: a gap or a repeat')
                after = event.sequence
                seen['sequences'].append(event.sequence)
                events.append(describe(event))
                if events[-1]['kind'] == 'application_status_changed':
                    status = events[-1]['status']
                if not disconnected and len(events) >= disconnect_after:
                    disconnected = True
                    seen['ended_by'] = 'client'
                    stream.cancel()
                    break
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE:
                raise
            seen['ended_by'] = 'UNAVAILABLE'
            reason, lost = f'connection lost ({error.details()})', error
        else:
            if seen['ended_by'] == 'client' or status in TERMINAL:
                continue
            reason, lost = 'the stream ended before the application did', None
        # Lost: ask again after the last sequence seen, for a while.
        lost_since = lost_since or time.monotonic()
        if time.monotonic() - lost_since > RECONNECT_FOR_S:
            raise lost or CallFailed(f'WatchApplication: {reason}, for {RECONNECT_FOR_S:.0f} s')
        print(f'run_application.py: watch: {reason}; resuming after sequence {after}', file=sys.stderr, flush=True)
        time.sleep(0.5)
    return {'events': events, 'streams': streams, 'final_status': status}


def describe(event):
    """An event as plain data: its sequence, its kind, the status it reports and what it is about."""
    from flotilla.v1 import status_pb2
    kind = event.WhichOneof('kind')
    body = getattr(event, kind) if kind else None
    described = {'sequence': event.sequence, 'kind': kind}
    if kind == 'application_status_changed':
        described['status'] = status_pb2.ApplicationStatus.Name(body.status)
    elif kind == 'job_status_changed':
        described.update(status=status_pb2.JobStatus.Name(body.status), subject=body.job_name)
    elif kind == 'task_state_changed':
        described.update(status=status_pb2.ExecutionState.Name(body.state),
                         subject=f'{body.vertex_name} #{body.subtask_index}')
    elif kind == 'cluster_status_changed':
        described.update(status=status_pb2.ClusterStatus.Name(body.status), subject=body.cluster_id)
    return described


def read_driver_log(client, application_id):
    """What main() wrote, by stream (stdout, stderr, logger), as text."""
    from flotilla.v1 import cluster_client_service_pb2 as ccs
    from flotilla.v1 import common_pb2
    streams = {}
    request = ccs.ReadDriverLogRequest(application_id=application_id, offset=0, follow=True)
    for piece in client.ReadDriverLog(request, timeout=60):
        name = common_pb2.LogStream.Name(piece.stream)
        streams[name] = streams.get(name, '') + piece.data.decode('utf-8')
    return streams


def list_jobs(client, application_id):
    """Every job of the application, page by page."""
    from flotilla.v1 import cluster_client_service_pb2 as ccs
    jobs, token = [], ''
    while True:
        page = client.ListJobs(ccs.ListJobsRequest(application_id=application_id, page_size=100, page_token=token),
                               timeout=60)
        jobs.extend(page.jobs)
        token = page.next_page_token
        if not token:
            return jobs


def print_report(report):
    stored = 'already stored' if report['already_stored'] else 'uploaded'
    print(f"bundle {report['artifact_id']} ({stored})")
    print(f"application {report['application_id']}")
    for stream in report['streams']:
        sequences = stream['sequences']
        span = f'{sequences[0]}..{sequences[-1]}' if sequences else 'none'
        print(f"watch after {stream['after_sequence']}: events {span}, closed by {stream['ended_by']}")
    for event in report['events']:
        print(f"  #{event['sequence']} {event['kind']} {event.get('status', '')} {event.get('subject', '')}".rstrip())
    for stream, text in report['driver_log'].items():
        print(f'driver log ({stream}):')
        sys.stdout.write(''.join(f'  {line}\n' for line in text.splitlines()))
    for job in report['jobs']:
        print(f"job {job['id']} {job['status']} {job['name']}")
    print(f"application {report['status']}")


if __name__ == '__main__':
    main()
