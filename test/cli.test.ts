/** The CLI shell: help that lists the verbs, usage errors, and a clear line when the control plane is down. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createChannel, createClient, Status } from 'nice-grpc';
import { ClusterClientServiceDefinition } from '../generated/flotilla/v1/cluster_client_service.js';
import { packBundle } from '../src/client/bundlePacker.js';
import { sha256OfFile } from '../src/blob/sha256.js';
import { runCli, ROOT, startServer } from './support/processes.js';
import { tempDir } from './support/tempDir.js';

/** The artifact id the CLI would upload `path` as. */
async function packAndHash(path: string): Promise<{ artifactId: string }> {
  const packed = await packBundle(path);
  try {
    return { artifactId: await sha256OfFile(packed.file) };
  } finally {
    packed.cleanup();
  }
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('flotilla CLI', () => {
  it('--help lists every verb', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const verb of [
      'run',
      'watch',
      'status',
      'jobs',
      'list',
      'cancel',
      'savepoint',
      'stop',
      'upload',
      'cluster start',
      'cluster list',
      'cluster stop',
      'controlplane',
      'jobmanager',
      'taskexecutor',
      'health-probe',
    ]) {
      expect(stdout).toMatch(new RegExp(`^  ${verb} `, 'm'));
    }
  });

  it('each verb has --help with its options', async () => {
    const { code, stdout } = await runCli(['controlplane', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--listen HOST:PORT');
    expect(stdout).toContain('--state-dir DIR');
    expect(stdout).toContain('--log-level LEVEL');
    expect(stdout).toContain('--max-artifact-bytes BYTES');
  });

  it('prints one line naming the address and how to start a control plane when none answers', async () => {
    const port = await closedPort();
    const { code, stdout, stderr } = await runCli([
      'upload',
      `${ROOT}examples/wordcount`,
      '--controlplane',
      `127.0.0.1:${port}`,
    ]);
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`cannot reach the control plane at 127.0.0.1:${port}`);
    expect(stderr).toContain('flotilla controlplane');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('takes the control plane address from FLOTILLA_CONTROLPLANE', async () => {
    const port = await closedPort();
    const { stderr } = await runCli(['upload', `${ROOT}examples/wordcount`], {
      FLOTILLA_CONTROLPLANE: `127.0.0.1:${port}`,
    });
    expect(stderr).toContain(`127.0.0.1:${port}`);
  });

  it('refuses bad usage with exit code 2 and a message that says what to change', async () => {
    expect(await runCli(['nosuchverb'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "nosuchverb"'),
    });
    expect(await runCli(['upload'])).toMatchObject({ code: 2, stderr: expect.stringContaining('missing PATH') });
    expect(await runCli(['taskexecutor'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--jobmanager HOST:PORT (or --jobmanager-address-file FILE) is required'),
    });
    expect(await runCli(['controlplane', '--listen', 'nowhere'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('is not HOST:PORT'),
    });
  });

  it('health-probe exits 0 for a server SERVING the service asked, 1 for another service or a closed port', async () => {
    const jobmanager = await startServer('jobmanager', ['--state-dir', tempDir()]);
    try {
      const port = jobmanager.address.split(':').pop()!;
      const probe = (...args: string[]) => runCli(['health-probe', '--port', port, ...args]);
      expect((await probe('--service', 'flotilla.v1.DispatcherService')).code).toBe(0);
      expect(await probe('--service', 'flotilla.v1.NoSuchService')).toMatchObject({
        code: 1,
        stderr: expect.stringContaining(`127.0.0.1:${port}`),
      });
      expect((await runCli(['health-probe', '--port', String(await closedPort()), '--timeout', '2000'])).code).toBe(1);
    } finally {
      await jobmanager.stop();
    }
  });

  it('refuses the --kubernetes-* (-k…) options with a named cluster, before anything is sent', async () => {
    const { code, stderr } = await runCli([
      'run',
      '-D',
      '-m',
      '127.0.0.1:1',
      '-kns',
      'analytics',
      `${ROOT}examples/wordcount`,
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'the --kubernetes-* (-k…) options describe a cluster to deploy; -m names one that runs already',
    );
  });

  it('refuses -d with -D before uploading anything, saying why', async () => {
    const controlplane = await startServer('controlplane', ['--state-dir', tempDir()]);
    try {
      const { code, stdout, stderr } = await runCli([
        'run',
        '-D',
        '-d',
        `${ROOT}examples/wordcount`,
        '--controlplane',
        controlplane.address,
      ]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain('-d (detached) cannot be combined with -D');
      const client = createClient(ClusterClientServiceDefinition, createChannel(controlplane.address));
      const { artifactId } = await packAndHash(`${ROOT}examples/wordcount`);
      await expect(client.getArtifact({ artifactId })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    } finally {
      await controlplane.stop();
    }
  });

  it('accepts FLIP-40 spellings of the driver options and -Dkey=value properties, and lists them in --help', async () => {
    const { code, stdout } = await runCli(['run', '--help']);
    expect(code).toBe(0);
    for (const spelling of ['-Dhm', '--driverheapmemory', '-Ddm', '-Dnm', '-Dc', '-DKEY=VALUE'])
      expect(stdout).toContain(spelling);
    const port = await closedPort();
    const refused = await runCli([
      'run',
      '-D',
      '-Dhm',
      '64',
      '-Dpipeline.name=x',
      '--class',
      'main.js#main',
      `${ROOT}examples/wordcount`,
      '--controlplane',
      `127.0.0.1:${port}`,
    ]);
    expect(refused.code).toBe(3);
  });

  it('refuses a path that is not a bundle before contacting anything', async () => {
    const { code, stderr } = await runCli(['upload', ROOT + 'proto', '--controlplane', '127.0.0.1:1']);
    expect(code).toBe(1);
    expect(stderr).toContain('has no package.json');
  });
});
