/**
 * Standalone clusters across hosts (issue 19, part 8; FLIP-40's "standalone cluster"): a job
 * manager and two task executors started by hand (`flotilla jobmanager`, `flotilla taskexecutor`),
 * each on a host of its own, and a control plane on a fourth (hosts are network namespaces with an
 * address each on a bridge the test makes: test/support/networkNamespaces.ts). Every server listens
 * on its host's address with a certificate for that address (IP SAN) from one CA and the cluster's
 * secret; the control plane lists the job manager with `--external-jobmanager ADDRESS=SECRET_FILE`.
 * The example runs FINISHED in driver mode (`flotilla run -D -m ADDRESS`) and in session mode
 * (`flotilla run -m ADDRESS`, main() in the CLI on the control plane's host). No loopback shortcut
 * exists: each host's loopback is its own. The namespaces are deleted and the host's settings
 * checked unchanged after the file, also when a test failed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partLines } from '../support/applicationOutcome.js';
import { makeHostCertificates } from '../support/hostCertificates.js';
import { createVirtualNetwork, type VirtualHost, type VirtualNetwork } from '../support/networkNamespaces.js';
import { ROOT, type ServerProcess } from '../support/processes.js';
import { clusterMemberFlags, runCliOnHost, startOnHost, writeClusterSecret } from '../support/standaloneCluster.js';
import { sharedDir, tempDir } from '../support/tempDir.js';
import { until } from '../support/until.js';

const EXAMPLE = join(ROOT, 'examples/wordcount');
const RANKING = ['to 6', 'the 3', 'and 2', 'be 2'];

describe('a standalone cluster across hosts', () => {
  let network: VirtualNetwork;
  let controlPlaneHost: VirtualHost;
  let jobManager: ServerProcess;
  let taskExecutors: ServerProcess[];
  let controlPlane: ServerProcess;
  let cliEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    network = createVirtualNetwork(4);
    const [jobManagerHost, ...others] = network.hosts;
    const taskExecutorHosts = others.slice(0, 2);
    controlPlaneHost = others[2];
    const certificates = makeHostCertificates(network.hosts.map((host) => host.address));
    const secretFile = writeClusterSecret();
    jobManager = await startOnHost(jobManagerHost, 'jobmanager', [
      '--listen',
      `${jobManagerHost.address}:6123`,
      ...clusterMemberFlags(certificates, jobManagerHost, secretFile),
    ]);
    taskExecutors = await Promise.all(
      taskExecutorHosts.map((host) =>
        startOnHost(host, 'taskexecutor', [
          '--listen',
          `${host.address}:6124`,
          '--jobmanager',
          jobManager.address,
          '--slots',
          '2',
          ...clusterMemberFlags(certificates, host, secretFile),
        ]),
      ),
    );
    controlPlane = await startOnHost(controlPlaneHost, 'controlplane', [
      '--listen',
      '127.0.0.1:6180',
      '--state-dir',
      tempDir('flotilla-cp-'),
      '--external-jobmanager',
      `${jobManager.address}=${secretFile}`,
      '--tls-ca',
      certificates.caFile,
    ]);
    cliEnv = { FLOTILLA_CONTROLPLANE: controlPlane.address };
    await until(
      'both task executors registered',
      () => (jobManager.stderr().match(/"msg":"task executor registered"/g) ?? []).length === 2,
      30_000,
    );
  }, 120_000);

  afterAll(async () => {
    for (const server of [controlPlane, ...(taskExecutors ?? []), jobManager]) await server?.stop();
    network?.destroy();
  });

  it('every member listens on its own host, and the task executors registered from theirs', () => {
    expect(jobManager.address).toBe(`${network.hosts[0].address}:6123`);
    expect(taskExecutors.map((taskExecutor) => taskExecutor.address)).toEqual([
      `${network.hosts[1].address}:6124`,
      `${network.hosts[2].address}:6124`,
    ]);
    for (const taskExecutor of taskExecutors)
      expect(jobManager.stderr()).toContain(
        `"address":"${taskExecutor.address}","slots":2,"msg":"task executor registered"`,
      );
  });

  it('runs the example FINISHED in driver mode (run -D -m ADDRESS)', async () => {
    const output = join(sharedDir(), 'ranking');
    const { code, stderr } = await runCliOnHost(
      controlPlaneHost,
      ['run', '-D', '--follow', '-m', jobManager.address, EXAMPLE, '4', output],
      cliEnv,
    );
    expect(stderr).toContain('application FINISHED');
    expect(code).toBe(0);
    expect(partLines(output)).toEqual(RANKING);
    // Both of main()'s jobs ran on the job manager the test started by hand.
    expect(jobManager.stderr()).toContain('job \\"wordcount-example: count words\\" is FINISHED');
    expect(jobManager.stderr()).toContain('job \\"wordcount-example: write ranking\\" is FINISHED');
  }, 120_000);

  it('runs the example FINISHED in session mode (run -m ADDRESS, main() in the CLI)', async () => {
    const output = join(sharedDir(), 'ranking');
    const { code, stderr } = await runCliOnHost(
      controlPlaneHost,
      ['run', '-m', jobManager.address, EXAMPLE, '4', output],
      cliEnv,
    );
    expect(stderr).toContain('application FINISHED');
    expect(code).toBe(0);
    expect(partLines(output)).toEqual(RANKING);
  }, 120_000);
});
