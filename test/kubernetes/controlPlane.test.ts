/**
 * A control plane on `--deployment-target kubernetes`, end to end on the full tier of the test
 * cluster (issue 19's "Done when"; run `npm run build` first): real API server, scheduler,
 * controller manager and kubelet on containerd, the image built from this checkout, nothing
 * mocked. Every submission mode ends FINISHED with the example's output, a cluster that cannot
 * start fails its application naming the pod and the image, a deleted driver pod is a lost driver,
 * a control plane killed with -9 and restarted still ends its application, a control plane serving
 * TLS gives its clusters of pods certificates in a mounted Secret (TLS between pods, no PEM or
 * secret in a pod spec), and afterwards no pod, Service or Secret of Flotilla is left in the
 * namespace. One tier serves the whole file.
 */
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApplicationStatus, ExecutionState, JobStatus, SubmissionMode } from '../../generated/flotilla/v1/status.js';
import { podName } from '../../src/deployment/kubernetes/clusterObjects.js';
import { checkHealth } from '../../src/rpc/healthCheck.js';
import { makeTestCertificates } from '../support/certificates.js';
import { finalStatus, jobStatuses } from '../support/applicationOutcome.js';
import { startControlPlane, watchAll, type TestControlPlane } from '../support/controlPlane.js';
import { ROOT, runCli } from '../support/processes.js';
import { tempDir } from '../support/tempDir.js';
import { startFullTier, type FullTier } from '../support/kubernetes/fullTier.js';
import { buildFlotillaImage, FLOTILLA_IMAGE } from '../support/kubernetes/images.js';
import { JOB_MANAGER_SERVICE_ACCOUNT } from '../support/kubernetes/jobManagerRole.js';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 300_000 });

const EXAMPLE = join(ROOT, 'examples/wordcount');
const APPS = join(ROOT, 'test/e2e/fixtures/apps');
const app = (name: string) => ['--name', `k8s-${name}`, '-c', `${name}.js#main`, APPS];
/** What main() of the example prints for the top 4 words. */
const RANKING = 'to\t6\nthe\t3\nand\t2\nbe\t2\n';

let tier: FullTier;
beforeAll(async () => {
  tier = await startFullTier();
  tier.importImage(buildFlotillaImage(tier.folder));
});
afterAll(async () => tier?.stop(), 120_000);

/** The control plane's flags for the test cluster: small requests so that several clusters fit the one node. */
function kubernetesFlags(): string[] {
  return [
    '--deployment-target',
    'kubernetes',
    '--kubernetes-config',
    tier.kubeconfig,
    '--kubernetes-image',
    FLOTILLA_IMAGE,
    '--kubernetes-image-pull-policy',
    'Never',
    '--kubernetes-jobmanager-cpu',
    '0.1',
    '--kubernetes-jobmanager-memory',
    '384',
    '--kubernetes-taskexecutor-cpu',
    '0.2',
    '--kubernetes-taskexecutor-memory',
    '512',
    '--kubernetes-cpu-limit-factor',
    '5',
    '--kubernetes-label',
    'team=data',
    // As docs/kubernetes.md sets it up: a job manager whose lease expires may delete its own pod.
    '--kubernetes-service-account',
    JOB_MANAGER_SERVICE_ACCOUNT,
    '--kubernetes-node-log-dir',
    '/var/log/pods',
  ];
}

const running: TestControlPlane[] = [];
async function startKubernetesControlPlane(stateDir?: string, args: string[] = []): Promise<TestControlPlane> {
  const controlPlane = await startControlPlane([...kubernetesFlags(), ...args], stateDir);
  running.push(controlPlane);
  return controlPlane;
}

// Each test's control plane stops while the tier still runs, and must stop on SIGTERM.
afterEach(async () => {
  for (const controlPlane of running.splice(0)) {
    const stopped = await Promise.race([
      controlPlane.stop('SIGTERM').then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 20_000)),
    ]);
    if (!stopped) {
      await controlPlane.stop('SIGKILL');
      throw new Error(`the control plane did not stop on SIGTERM:\n${controlPlane.process.stderr().slice(-3000)}`);
    }
  }
});

interface Named {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string; reason?: string }[] };
}

/** The names of Flotilla's pods, Services and Secrets left in the namespace. */
async function leftovers(namespace = 'default'): Promise<string[]> {
  const selector = 'app.kubernetes.io%2Fname%3Dflotilla';
  const names: string[] = [];
  for (const kind of ['pods', 'services', 'secrets']) {
    const list = await tier.client.call<{ items: Named[] }>(
      'GET',
      `/api/v1/namespaces/${namespace}/${kind}?labelSelector=${selector}`,
    );
    names.push(...list.items.map((item) => `${kind}/${item.metadata.name}`));
  }
  return names;
}

// A test that failed half-way leaves its cluster; the next test starts from an empty namespace.
afterEach(async () => {
  for (const name of await leftovers()) {
    const [kind, object] = name.split('/');
    await tier.client
      .call('DELETE', `/api/v1/namespaces/default/${kind}/${object}`, { gracePeriodSeconds: 0 })
      .catch(() => undefined);
  }
});

/** A pod's log as its kubelet wrote it on the node (the test cluster's API server cannot reach the kubelet). */
function nodeLog(pod: string): string {
  const folder = readdirSync('/var/log/pods').find((name) => name.startsWith(`default_${pod}_`));
  if (!folder) return '(no log)';
  const container = join('/var/log/pods', folder, 'flotilla');
  return readdirSync(container)
    .map((file) => readFileSync(join(container, file), 'utf8'))
    .join('')
    .slice(-6000);
}

const nothingLeft = () => expect.poll(() => leftovers(), { timeout: 60_000, interval: 500 }).toEqual([]);

async function driverLog(controlPlane: TestControlPlane, applicationId: string): Promise<string> {
  return (await runCli(['logs', applicationId], controlPlane.env)).stdout;
}

describe('a control plane on --deployment-target kubernetes', () => {
  it('runs the example with run -D --follow to FINISHED, prints its ranking, and leaves no pod, Service or Secret', async () => {
    const controlPlane = await startKubernetesControlPlane();
    const run = await runCli(['run', '-D', '--follow', EXAMPLE, '4', '/tmp/ranking'], controlPlane.env);
    expect(run.stderr).toContain('application FINISHED');
    expect(run.code).toBe(0);
    const applicationId = run.stdout.trim();
    // The pods' start was told to the application's watchers.
    expect(run.stderr).toMatch(/pod flotilla-cluster-\S+-jobmanager is running/);
    const events = await watchAll(controlPlane.client, applicationId, 0, false);
    expect(jobStatuses(events).get('wordcount-example: write ranking')).toBe(JobStatus.FINISHED);
    expect(await driverLog(controlPlane, applicationId)).toContain(RANKING);
    const { cluster } = await controlPlane.client.getCluster({
      clusterId: (await controlPlane.client.getApplication({ applicationId })).application!.clusterId,
    });
    expect(cluster!.deploymentTarget).toBe('kubernetes');
    await nothingLeft();
  });

  it('runs the example with --target application to FINISHED and leaves nothing', async () => {
    const controlPlane = await startKubernetesControlPlane();
    const run = await runCli(
      ['run', '--target', 'application', '--follow', EXAMPLE, '4', '/tmp/ranking'],
      controlPlane.env,
    );
    expect(run.stderr).toContain('application FINISHED');
    expect(run.code).toBe(0);
    const events = await watchAll(controlPlane.client, run.stdout.trim(), 0, false);
    expect(jobStatuses(events).get('wordcount-example: main')).toBe(JobStatus.FINISHED);
    expect(jobStatuses(events).get('wordcount-example: write ranking')).toBe(JobStatus.FINISHED);
    await nothingLeft();
  });

  it('runs the example with --target per-job (a cluster per job, -k… settings) to FINISHED and leaves nothing', async () => {
    const controlPlane = await startKubernetesControlPlane();
    const run = await runCli(
      ['run', '--target', 'per-job', '-kns', 'default', '-ktm', '512', EXAMPLE, '4', '/tmp/ranking'],
      controlPlane.env,
    );
    expect(run.stderr).toContain('application FINISHED');
    expect(run.code).toBe(0);
    // main() ran in the CLI's process, which printed the ranking.
    expect(run.stdout).toContain(RANKING);
    await nothingLeft();
  });

  it('runs the example with -D --cluster and in session mode (main() in the CLI) on a shared cluster from flotilla cluster start, then stops it leaving nothing', async () => {
    const controlPlane = await startKubernetesControlPlane();
    // Two slots of 512 MiB each (-ktm divided between them): the driver's heap takes one.
    const started = await runCli(['cluster', 'start', '-kn', '1', '-ks', '2', '-ktm', '1024'], controlPlane.env);
    expect(started.code).toBe(0);
    const clusterId = started.stdout.trim();
    const pods = await tier.client.call<{ items: Named[] }>(
      'GET',
      `/api/v1/namespaces/default/pods?labelSelector=flotilla.io%2Fcluster%3D${clusterId}`,
    );
    // Labelled by cluster and role, with the control plane's extra label.
    expect(pods.items.map((pod) => [pod.metadata.labels?.['flotilla.io/role'], pod.metadata.labels?.team])).toEqual(
      expect.arrayContaining([
        ['jobmanager', 'data'],
        ['taskexecutor', 'data'],
      ]),
    );
    const run = await runCli(
      ['run', '-D', '--follow', '--cluster', clusterId, EXAMPLE, '4', '/tmp/ranking'],
      controlPlane.env,
    );
    expect(run.stderr).toContain('application FINISHED');
    expect(run.code).toBe(0);
    expect(await driverLog(controlPlane, run.stdout.trim())).toContain(RANKING);
    // Session mode on the same pods: main() runs in the CLI (its console output is the CLI's), its
    // jobs go through the control plane to the cluster.
    const session = await runCli(
      ['run', '--cluster', clusterId, EXAMPLE, '4', '/tmp/ranking-session'],
      controlPlane.env,
    );
    expect(session.stderr).toContain('application FINISHED');
    expect(session.code).toBe(0);
    expect(session.stdout).toContain(RANKING);
    const { application } = await controlPlane.client.getApplication({ applicationId: session.stdout.split('\n')[0] });
    expect(application).toMatchObject({ mode: SubmissionMode.SESSION, status: ApplicationStatus.FINISHED, clusterId });
    expect((await runCli(['cluster', 'stop', clusterId], controlPlane.env)).code).toBe(0);
    await nothingLeft();
  });

  it('ends FAILED with DriverLostError when the pod of the driver’s task executor is deleted, and leaves nothing', async () => {
    const controlPlane = await startKubernetesControlPlane();
    const run = await runCli(
      ['run', '-D', '--task-executors', '2', '--slots', '2', ...app('slow'), '100000', '/tmp/slow'],
      controlPlane.env,
    );
    expect(run.code).toBe(0);
    const applicationId = run.stdout.trim();
    let driverHost = '';
    await expect
      .poll(
        async () => {
          const events = await watchAll(controlPlane.client, applicationId, 0, false);
          for (const event of events)
            if (
              event.kind?.$case === 'taskStateChanged' &&
              event.kind.taskStateChanged.vertexId === 'driver' &&
              event.kind.taskStateChanged.state === ExecutionState.RUNNING
            )
              driverHost = event.kind.taskStateChanged.taskExecutorId;
          return driverHost !== '' && jobStatuses(events).get('k8s-slow: slow job') === JobStatus.RUNNING;
        },
        { timeout: 120_000, interval: 500 },
      )
      .toBe(true);
    const { clusterId } = (await controlPlane.client.getApplication({ applicationId })).application!;
    // The resource id is <cluster>-taskexecutor-<i>, the pod flotilla-<cluster>-taskexecutor-<i>.
    const index = Number(/-taskexecutor-(\d+)$/.exec(driverHost)?.[1]);
    const pod = podName(clusterId, { role: 'taskexecutor', index });
    await tier.client.call('DELETE', `/api/v1/namespaces/default/pods/${pod}`, { gracePeriodSeconds: 0 });
    const events = await watchAll(controlPlane.client, applicationId, 0, true);
    expect(finalStatus(events)).toBe(ApplicationStatus.FAILED);
    const { application } = await controlPlane.client.getApplication({ applicationId });
    expect(application!.failure?.name).toBe('DriverLostError');
    // The watch of the running cluster's pods told the application's watchers what happened.
    const notes = events.flatMap((event) =>
      event.kind?.$case === 'clusterStatusChanged' ? [event.kind.clusterStatusChanged.message] : [],
    );
    expect(notes).toContain(`pod ${pod} was deleted`);
    // The loss ended the application, so the lost pod was not replaced.
    expect(notes.filter((note) => note.includes(' replaces '))).toEqual([]);
    await nothingLeft();
  });

  it('fails an application whose image does not exist within 60 s, naming the pod and the image, after telling its pull; leaves nothing', async () => {
    const controlPlane = await startKubernetesControlPlane();
    const started = Date.now();
    // A registry on loopback where nothing listens: the kubelet pulls (IfNotPresent), and the pull fails.
    const image = '127.0.0.1:9/flotilla/no-such-image:1';
    const run = await runCli(
      ['run', '-D', '--follow', '-ki', image, '--kubernetes-image-pull-policy', 'IfNotPresent', EXAMPLE],
      controlPlane.env,
    );
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/application FAILED/);
    // The kubelet's Pulling Event became a note on the cluster, told before the failure.
    const pulling = new RegExp(`pod flotilla-cluster-\\S+-jobmanager: pulling image ${image.replace(/[.]/g, '\\.')}`);
    expect(run.stderr).toMatch(pulling);
    expect(run.stderr.search(pulling)).toBeLessThan(run.stderr.search(/application FAILED/));
    const { application } = await controlPlane.client.getApplication({ applicationId: run.stdout.trim() });
    expect(application!.failure?.message).toMatch(/pod flotilla-cluster-\S+-jobmanager/);
    expect(application!.failure?.message).toContain(image);
    await nothingLeft();
  });

  it('fails an application whose task executor pod a ResourceQuota refuses, naming the pod and the quota, and leaves nothing in the namespace', async () => {
    const namespace = 'flotilla-quota';
    await tier.client.call('POST', '/api/v1/namespaces', { metadata: { name: namespace } });
    try {
      // The controller manager gives the namespace the service account and CA the job manager's pod mounts.
      for (const path of ['serviceaccounts/default', 'configmaps/kube-root-ca.crt'])
        await expect
          .poll(
            () =>
              tier.client.call('GET', `/api/v1/namespaces/${namespace}/${path}`).then(
                () => true,
                () => false,
              ),
            {
              timeout: 60_000,
              interval: 250,
            },
          )
          .toBe(true);
      // One pod: the job manager's is admitted, the task executor's is not.
      const quota = `/api/v1/namespaces/${namespace}/resourcequotas`;
      await tier.client.call('POST', quota, { metadata: { name: 'one-pod' }, spec: { hard: { pods: '1' } } });
      // Until the quota controller has counted the namespace, admission refuses every pod ("status unknown for quota").
      await expect
        .poll(
          async () =>
            (await tier.client.call<{ status?: { used?: Record<string, string> } }>('GET', `${quota}/one-pod`)).status
              ?.used?.pods,
          { timeout: 60_000, interval: 250 },
        )
        .toBe('0');
      const controlPlane = await startKubernetesControlPlane();
      const started = Date.now();
      const run = await runCli(
        ['run', '-D', '--follow', '-kns', namespace, '-ksa', 'default', EXAMPLE, '4', '/tmp/ranking'],
        controlPlane.env,
      );
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/application FAILED/);
      const { application } = await controlPlane.client.getApplication({ applicationId: run.stdout.trim() });
      expect(application!.failure?.message).toMatch(
        /pod flotilla-cluster-\S+-taskexecutor-0 was refused: Forbidden: pods "flotilla-cluster-\S+-taskexecutor-0" is forbidden: exceeded quota: one-pod/,
      );
      await expect.poll(() => leftovers(namespace), { timeout: 60_000, interval: 500 }).toEqual([]);
    } finally {
      await tier.client.call('DELETE', `/api/v1/namespaces/${namespace}`).catch(() => undefined);
    }
  });

  it('ends FINISHED and deletes its pods when the control plane is killed with -9 while the application runs and then restarted', async () => {
    const stateDir = tempDir('flotilla-cp-');
    const first = await startKubernetesControlPlane(stateDir);
    const run = await runCli(['run', '-D', ...app('slow'), '3000', '/tmp/slow'], first.env);
    expect(run.code).toBe(0);
    const applicationId = run.stdout.trim();
    await expect
      .poll(
        async () =>
          jobStatuses(await watchAll(first.client, applicationId, 0, false)).get('k8s-slow: slow job') ===
          JobStatus.RUNNING,
        { timeout: 120_000, interval: 500 },
      )
      .toBe(true);
    await first.stop('SIGKILL');
    const second = await startKubernetesControlPlane(stateDir);
    const events = await watchAll(second.client, applicationId, 0, true);
    expect(finalStatus(events)).toBe(ApplicationStatus.FINISHED);
    await nothingLeft();
  });

  it('an owned cluster whose control plane is killed (-9) before it submitted anything deletes itself after the lease time: no pod, Service or Secret is left', async () => {
    const leaseMs = 8000;
    // Task executors no node can take (200 GB): the control plane waits for them, having submitted nothing, while the job manager runs.
    const controlPlane = await startKubernetesControlPlane(undefined, [
      '--cluster-lease-time',
      `${leaseMs}ms`,
      '--kubernetes-taskexecutor-memory',
      '200000',
    ]);
    const run = await runCli(['run', '-D', ...app('slow'), '100', '/tmp/slow'], controlPlane.env);
    expect(run.code).toBe(0);
    const applicationId = run.stdout.trim();
    const podsOf = async () =>
      (
        await tier.client.call<{ items: Named[] }>(
          'GET',
          '/api/v1/namespaces/default/pods?labelSelector=app.kubernetes.io%2Fname%3Dflotilla',
        )
      ).items;
    let pods: Named[] = [];
    const role = (name: string) => pods.find((pod) => pod.metadata.labels?.['flotilla.io/role'] === name);
    const deadline = Date.now() + 60_000;
    while (!(
      role('jobmanager')?.status?.phase === 'Running' &&
      role('taskexecutor')?.status?.conditions?.some((each) => each.reason === 'Unschedulable')
    )) {
      if (Date.now() > deadline)
        throw new Error(
          `no running job manager beside an unschedulable task executor within 60 s: ${JSON.stringify(pods.map((pod) => [pod.metadata.name, pod.status]))}\n${controlPlane.process.stderr().slice(-3000)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 250));
      pods = await podsOf();
    }
    const { jobs } = await controlPlane.client.listJobs({ applicationId, clusterId: '', pageSize: 50, pageToken: '' });
    expect(jobs).toEqual([]);
    await controlPlane.stop('SIGKILL');
    const killedAt = Date.now();
    // Nothing but the lease ends it: a third of the lease time later, the job manager still runs.
    await new Promise((resolve) => setTimeout(resolve, leaseMs / 3));
    const jobManager = (await podsOf()).find((pod) => pod.metadata.labels?.['flotilla.io/role'] === 'jobmanager');
    expect(jobManager?.status?.phase).toBe('Running');
    expect(await leftovers()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^services\//), expect.stringMatching(/^secrets\//)]),
    );
    // The job manager deletes its own pod once its lease expired (within the lease time of the last
    // renewal, which came before the kill, plus its check and the API call): seen as the pod being
    // marked for deletion or gone. Garbage collection then removes the rest.
    let deletedAfterMs: number | undefined;
    const jobManagerDeleted = async () => {
      const pod = (await podsOf()).find((each) => each.metadata.name === jobManager!.metadata.name);
      if (!pod || pod.metadata.deletionTimestamp) deletedAfterMs ??= Date.now() - killedAt;
      return deletedAfterMs !== undefined;
    };
    try {
      await expect.poll(jobManagerDeleted, { timeout: leaseMs + 30_000, interval: 250 }).toBe(true);
      await expect.poll(() => leftovers(), { timeout: 60_000, interval: 500 }).toEqual([]);
    } catch (error) {
      throw new Error(`${(error as Error).message}\njob manager's log:\n${nodeLog(jobManager!.metadata.name)}`);
    }
    expect(deletedAfterMs).toBeLessThan(leaseMs + 5000);
    const endedAfterMs = Date.now() - killedAt;
    expect(endedAfterMs).toBeGreaterThanOrEqual(leaseMs / 3);
    expect(endedAfterMs).toBeLessThan(leaseMs + 90_000);
  });

  it('replaces the pod of a task executor deleted mid-job in application mode: the job restarts on the new pod and the application ends FINISHED, leaving nothing', async () => {
    const controlPlane = await startKubernetesControlPlane();
    // main() runs in the job manager; the one task executor's one slot runs the job.
    const run = await runCli(
      ['run', '--target', 'application', '--task-executors', '1', '--slots', '1', ...app('slow'), '3000', '/tmp/slow'],
      controlPlane.env,
    );
    expect(run.code).toBe(0);
    const applicationId = run.stdout.trim();
    await expect
      .poll(
        async () => {
          const events = await watchAll(controlPlane.client, applicationId, 0, false);
          return (
            jobStatuses(events).get('k8s-slow: slow job') === JobStatus.RUNNING &&
            events.some(
              (event) =>
                event.kind?.$case === 'taskStateChanged' &&
                event.kind.taskStateChanged.state === ExecutionState.RUNNING,
            )
          );
        },
        { timeout: 120_000, interval: 500 },
      )
      .toBe(true);
    const { clusterId } = (await controlPlane.client.getApplication({ applicationId })).application!;
    const pod = podName(clusterId, { role: 'taskexecutor', index: 0 });
    await tier.client.call('DELETE', `/api/v1/namespaces/default/pods/${pod}`, { gracePeriodSeconds: 0 });
    const events = await watchAll(controlPlane.client, applicationId, 0, true);
    const { application } = await controlPlane.client.getApplication({ applicationId });
    expect(finalStatus(events), application!.failure?.message).toBe(ApplicationStatus.FINISHED);
    const notes = events.flatMap((event) =>
      event.kind?.$case === 'clusterStatusChanged' ? [event.kind.clusterStatusChanged.message] : [],
    );
    expect(notes).toContain(`pod ${pod} was deleted`);
    expect(notes).toContainEqual(
      expect.stringMatching(new RegExp(`^pod ${pod}-r[0-9a-z]+ replaces ${pod}, whose task executor was lost$`)),
    );
    // The job lost its task, restarted, and finished on the new pod's slot.
    const slowJob = events.flatMap((event) =>
      event.kind?.$case === 'jobStatusChanged' && event.kind.jobStatusChanged.jobName === 'k8s-slow: slow job'
        ? [event.kind.jobStatusChanged.status]
        : [],
    );
    expect(slowJob).toContain(JobStatus.RESTARTING);
    expect(slowJob.at(-1)).toBe(JobStatus.FINISHED);
    await nothingLeft();
  });

  it('gives the clusters of a control plane serving TLS certificates in a mounted Secret: driver mode FINISHED over TLS, no PEM, key or secret in a pod spec, plaintext refused', async () => {
    const certificates = makeTestCertificates();
    const controlPlane = await startKubernetesControlPlane(undefined, [
      '--tls-cert',
      certificates.certFile,
      '--tls-key',
      certificates.keyFile,
    ]);
    const env = { ...controlPlane.env, FLOTILLA_TLS_CA: certificates.caFile };
    const started = await runCli(['cluster', 'start', '-kn', '1', '-ks', '2', '-ktm', '1024'], env);
    expect(started.code, started.stderr).toBe(0);
    const clusterId = started.stdout.trim();
    const run = await runCli(['run', '-D', '--follow', '--cluster', clusterId, EXAMPLE, '4', '/tmp/ranking'], env);
    expect(run.stderr).toContain('application FINISHED');
    expect(run.code).toBe(0);
    expect((await runCli(['logs', run.stdout.trim()], env)).stdout).toContain(RANKING);

    // The Secret holds the cluster's secret, a certificate from the control plane's cluster CA for the Service's names, its key and that CA.
    const secret = await tier.client.call<{ data: Record<string, string> }>(
      'GET',
      `/api/v1/namespaces/default/secrets/flotilla-${clusterId}`,
    );
    const material = Object.fromEntries(
      Object.entries(secret.data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
    );
    expect(Object.keys(material).sort()).toEqual(['ca.crt', 'cluster-secret', 'tls.crt', 'tls.key']);
    const clusterCaPem = readFileSync(join(controlPlane.stateDir, 'cluster-ca', 'ca.pem'), 'utf8');
    expect(material['ca.crt']).toBe(clusterCaPem);
    const certificate = new X509Certificate(material['tls.crt']!);
    expect(certificate.checkIssued(new X509Certificate(clusterCaPem))).toBe(true);
    const serverName = `flotilla-${clusterId}.default.svc`;
    expect(certificate.subjectAltName).toContain(`DNS:${serverName}`);

    // The pod specs name files and the Service, never the material or the secret itself.
    const pods = await tier.client.call<{ items: (Named & { spec: { containers: { args: string[] }[] } })[] }>(
      'GET',
      `/api/v1/namespaces/default/pods?labelSelector=flotilla.io%2Fcluster%3D${clusterId}`,
    );
    expect(pods.items.map((pod) => pod.metadata.labels?.['flotilla.io/role']).sort()).toEqual([
      'jobmanager',
      'taskexecutor',
    ]);
    const forbidden = [
      'BEGIN',
      'PRIVATE KEY',
      ...Object.values(material).flatMap((text) => [text.trim(), Buffer.from(text).toString('base64')]),
      ...Object.values(material)
        .filter((text) => text.includes('BEGIN'))
        .map((pem) => pem.split('\n')[1]!),
    ];
    for (const pod of pods.items) {
      const spec = JSON.stringify(pod);
      for (const text of forbidden)
        expect(spec.includes(text), `${pod.metadata.name} holds ${text.slice(0, 20)}…`).toBe(false);
      const { args } = pod.spec.containers[0]!;
      expect(args).not.toContain('--insecure-bind');
      expect(args).toEqual(
        expect.arrayContaining(['--tls-cert', '--tls-key', '--tls-ca', '--tls-server-name', serverName]),
      );
    }
    // Nor did a log line show them: the control plane's or the pods'.
    const logs = [controlPlane.process.stderr(), ...pods.items.map((pod) => nodeLog(pod.metadata.name))].join('\n');
    for (const text of forbidden.slice(1)) expect(logs.includes(text), `a log holds ${text.slice(0, 20)}…`).toBe(false);

    // The job manager's port speaks TLS only: a plaintext gRPC call is refused, one trusting the cluster CA is answered.
    const jobManager = pods.items.find((pod) => pod.metadata.labels?.['flotilla.io/role'] === 'jobmanager')!;
    const address = `${jobManager.status!.podIP}:6123`;
    await expect(checkHealth(address, '', 5000)).rejects.toThrow();
    expect(await checkHealth(address, '', 5000, { caPem: clusterCaPem, serverName })).toBe(true);
    // Another cluster's name is not this certificate's.
    await expect(
      checkHealth(address, '', 5000, { caPem: clusterCaPem, serverName: 'flotilla-other.default.svc' }),
    ).rejects.toThrow(/altnames|certificate/i);

    expect((await runCli(['cluster', 'stop', clusterId], env)).code).toBe(0);
    await nothingLeft();

    // An owned cluster (with a lease the control plane renews over TLS) too.
    const owned = await runCli(['run', '-D', '--follow', EXAMPLE, '4', '/tmp/ranking'], env);
    expect(owned.stderr).toContain('application FINISHED');
    expect(owned.code).toBe(0);
    expect((await runCli(['logs', owned.stdout.trim()], env)).stdout).toContain(RANKING);
    await nothingLeft();
  });
});
