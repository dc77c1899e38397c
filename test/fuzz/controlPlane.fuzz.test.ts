/**
 * Fuzzed requests against a real control plane (ClusterClientService) with a session cluster of one
 * job manager and one task executor: every RPC gets random bytes and hostile messages
 * (test/fuzz/fuzzMethod.ts), among them mutations of valid requests naming a stored bundle, a
 * session application on that cluster (itself submitted with hostile but valid values), its
 * cluster and a job of it. Requests that would deploy clusters are kept from being accepted (a
 * deployment is processes, not a row), and the test checks that none was; one hostile but valid
 * DeployCluster at the end deploys a cluster for real and stops it again.
 */
import { Status } from 'nice-grpc-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CancelApplicationRequest,
  CancelJobRequest,
  ClusterClientServiceTriggerSavepointRequest,
  CompleteClientMainRequest,
  DeployClusterRequest,
  GetApplicationRequest,
  GetArtifactRequest,
  GetClusterRequest,
  GetJobRequest,
  ListApplicationsRequest,
  ListClustersRequest,
  ListJobsRequest,
  ReadDriverLogRequest,
  ReportClientHeartbeatRequest,
  RequestJobResultRequest,
  RunApplicationRequest,
  ShutDownClusterRequest,
  StopApplicationRequest,
  SubmitJobRequest,
  SubmitJobResponse,
  UploadArtifactRequest,
  WatchApplicationRequest,
  ClusterClientServiceDefinition,
  type ClusterClientServiceClient,
} from '../../generated/flotilla/v1/cluster_client_service.js';
import { ApplicationStatus, ClusterStatus, SubmissionMode } from '../../generated/flotilla/v1/status.js';
import { sha256OfBytes } from '../../src/blob/sha256.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { clusterProcesses, startControlPlane, type TestControlPlane } from '../support/controlPlane.js';
import { tempDir } from '../support/tempDir.js';
import { clusterInStatus, uploadDriverApp } from '../controlplane/controlPlaneTesting.js';
import { fuzzedMethods, fuzzMethod, type FuzzTarget } from './fuzzMethod.js';
import { PATIENT_DEADLINE_MS, patiently } from './fuzzSettings.js';
import { COLLECT_JOB, encodePartial, fuzzTarget, harmlessJobFields, KnownIds } from './fuzzTarget.js';
import type { MessageInit } from './messageArbitrary.js';
import { crashSigns, healthOf } from './serverChecks.js';

const SERVICE = 'flotilla.v1.ClusterClientService';
const HOSTILE_NAME = '名前 ../../etc/passwd 🚀 \u202eevil';

/**
 * A RunApplication that is not SESSION mode could deploy a cluster; giving it a relative savepoint
 * path makes it refused (INVALID_ARGUMENT: a savepoint path must be absolute) after every other
 * check has run on its hostile values.
 */
function neverDeploying(init: MessageInit): MessageInit {
  return init.mode === SubmissionMode.SESSION
    ? init
    : { ...init, savepoint: { path: '../../savepoint', allowNonRestoredState: true } };
}

/** A DeployCluster whose request id has a newline is refused after its name and spec were checked. */
function refusedDeployment(init: MessageInit): MessageInit {
  return { ...init, requestId: `${String(init.requestId ?? '')}\n` };
}

describe('ClusterClientService under fuzzed requests', () => {
  const ids = new KnownIds();
  let controlPlane: TestControlPlane;
  let cluster: TestCluster;
  let client: ClusterClientServiceClient;
  let target: FuzzTarget;
  let artifactId = '';
  let applicationId = '';
  let clusterId = '';
  let jobId = '';

  beforeAll(async () => {
    cluster = await startTestCluster({ taskExecutors: 1, slots: 2 });
    controlPlane = await startControlPlane(['--external-jobmanager', cluster.jobManager.address]);
    client = controlPlane.client;
    artifactId = await uploadDriverApp(controlPlane.address);
    // A session application with hostile but valid values, on the session cluster: the fuzzing names it, its cluster and its job.
    const { application } = await client.runApplication(
      RunApplicationRequest.fromPartial({
        name: HOSTILE_NAME,
        bundle: { source: { $case: 'artifactId', artifactId } },
        entry: 'main.mjs#main',
        args: ['../../etc/passwd', '', '名前', '-1'],
        mode: SubmissionMode.SESSION,
        cluster: { target: { $case: 'jobmanagerAddress', jobmanagerAddress: cluster.jobManager.address } },
        properties: { '🚀': '../../etc/passwd', 'fuzz.key': '' },
        requestId: 'request-fuzz',
      }),
      patiently(),
    );
    applicationId = application!.id;
    expect(application!.name).toBe(HOSTILE_NAME);
    // Running once its session cluster is ready for jobs.
    let current = application!;
    for (
      const giveUp = Date.now() + PATIENT_DEADLINE_MS;
      current.status !== ApplicationStatus.RUNNING && Date.now() < giveUp;
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      current = (await client.getApplication({ applicationId })).application!;
    }
    expect(ApplicationStatus[current.status]).toBe('RUNNING');
    clusterId = current.clusterId;
    ({ jobId } = await client.submitJob(
      SubmitJobRequest.fromPartial({ applicationId, jobGraph: jobOfTheApplication() }),
      patiently(),
    ));
    ids.add(artifactId, applicationId, clusterId, jobId);
    target = fuzzTarget(
      controlPlane.address,
      SERVICE,
      ClusterClientServiceDefinition,
      ids,
      harmlessJobFields(tempDir('flotilla-fuzz-scratch-')),
    );
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  /** A job of the session application: its bundle, two records into a collect sink. */
  const jobOfTheApplication = () => ({
    ...COLLECT_JOB,
    bundle: { source: { $case: 'artifactId' as const, artifactId } },
  });

  it('UploadArtifact (client stream)', async () => {
    const content = Buffer.from('a fuzzed artifact');
    await fuzzMethod(target, 'UploadArtifact', {
      validRequests: () => [
        encodePartial(UploadArtifactRequest, {
          part: {
            $case: 'header',
            header: { sha256: sha256OfBytes(content), sizeBytes: BigInt(content.length), fileName: 'fuzz.tgz' },
          },
        }),
        encodePartial(UploadArtifactRequest, { part: { $case: 'chunk', chunk: content } }),
      ],
    });
  });

  it('GetArtifact', async () => {
    await fuzzMethod(target, 'GetArtifact', {
      validRequests: () => [encodePartial(GetArtifactRequest, { artifactId })],
    });
  });

  it('RunApplication, kept from deploying clusters', async () => {
    await fuzzMethod(target, 'RunApplication', {
      messageRuns: 40,
      shape: neverDeploying,
      validRequests: () => [
        encodePartial(RunApplicationRequest, {
          name: 'fuzzed application',
          bundle: { source: { $case: 'artifactId', artifactId } },
          mode: SubmissionMode.SESSION,
          cluster: { target: { $case: 'clusterId', clusterId } },
        }),
        encodePartial(RunApplicationRequest, {
          bundle: { source: { $case: 'artifactId', artifactId } },
          mode: SubmissionMode.DRIVER,
          driverResources: { cpus: 0.1, heapMemoryMb: 64 },
          cluster: { target: { $case: 'deploy', deploy: { taskExecutors: 1, slotsPerTaskExecutor: 1 } } },
        }),
      ],
      afterCall: async (outcome) => {
        if (outcome.code === Status.OK)
          ids.add(
            ...(
              await client.listApplications({ pageSize: 5, pageToken: '', statuses: [] }, patiently())
            ).applications.map((each) => each.id),
          );
      },
    });
    expect(clusterProcesses(controlPlane.stateDir)).toEqual([]);
  });

  it('GetApplication', async () => {
    await fuzzMethod(target, 'GetApplication', {
      validRequests: () => [encodePartial(GetApplicationRequest, { applicationId })],
    });
  });

  it('ListApplications', async () => {
    await fuzzMethod(target, 'ListApplications', {
      validRequests: () => [
        encodePartial(ListApplicationsRequest, {
          pageSize: 2,
          statuses: [ApplicationStatus.RUNNING, ApplicationStatus.FAILED],
        }),
      ],
    });
  });

  it('WatchApplication (server stream)', async () => {
    await fuzzMethod(target, 'WatchApplication', {
      validRequests: () => [encodePartial(WatchApplicationRequest, { applicationId, afterSequence: 1n, follow: true })],
    });
  });

  it('ReadDriverLog (server stream)', async () => {
    await fuzzMethod(target, 'ReadDriverLog', {
      validRequests: () => [encodePartial(ReadDriverLogRequest, { applicationId, offset: 0n, follow: true })],
    });
  });

  it('SubmitJob, whose accepted jobs are cancelled at once', async () => {
    await fuzzMethod(target, 'SubmitJob', {
      messageRuns: 40,
      validRequests: () => [encodePartial(SubmitJobRequest, { applicationId, jobGraph: jobOfTheApplication() })],
      afterCall: async (outcome) => {
        if (outcome.code !== Status.OK) return;
        const submitted = SubmitJobResponse.decode(outcome.responses[0]).jobId;
        ids.add(submitted);
        await client.cancelJob({ jobId: submitted }, patiently());
      },
    });
  });

  it('GetJob', async () => {
    await fuzzMethod(target, 'GetJob', { validRequests: () => [encodePartial(GetJobRequest, { jobId })] });
  });

  it('ListJobs', async () => {
    await fuzzMethod(target, 'ListJobs', {
      validRequests: () => [encodePartial(ListJobsRequest, { pageSize: 2, applicationId, clusterId })],
    });
  });

  it('RequestJobResult (server stream)', async () => {
    await fuzzMethod(target, 'RequestJobResult', {
      validRequests: () => [encodePartial(RequestJobResultRequest, { jobId })],
    });
  });

  it('CancelJob', async () => {
    await fuzzMethod(target, 'CancelJob', { validRequests: () => [encodePartial(CancelJobRequest, { jobId })] });
  });

  it('GetCluster', async () => {
    await fuzzMethod(target, 'GetCluster', { validRequests: () => [encodePartial(GetClusterRequest, { clusterId })] });
  });

  it('ListClusters', async () => {
    await fuzzMethod(target, 'ListClusters', {
      validRequests: () => [encodePartial(ListClustersRequest, { pageSize: 2, statuses: [ClusterStatus.RUNNING] })],
    });
  });

  it('ShutDownCluster', async () => {
    await fuzzMethod(target, 'ShutDownCluster', {
      validRequests: () => [encodePartial(ShutDownClusterRequest, { clusterId })],
    });
  });

  it('DeployCluster, kept from deploying', async () => {
    await fuzzMethod(target, 'DeployCluster', {
      undecodableBytesOnly: true,
      shape: refusedDeployment,
      validRequests: () => [
        encodePartial(DeployClusterRequest, {
          name: 'fuzzed cluster',
          spec: { taskExecutors: 1, slotsPerTaskExecutor: 1 },
        }),
      ],
    });
    expect(clusterProcesses(controlPlane.stateDir)).toEqual([]);
  });

  it('ReportClientHeartbeat', async () => {
    await fuzzMethod(target, 'ReportClientHeartbeat', {
      validRequests: () => [encodePartial(ReportClientHeartbeatRequest, { applicationId })],
    });
  });

  it('CompleteClientMain', async () => {
    await fuzzMethod(target, 'CompleteClientMain', {
      validRequests: () => [
        encodePartial(CompleteClientMainRequest, {
          applicationId,
          failure: { name: 'Error', message: HOSTILE_NAME, stack: '../../etc/passwd' },
        }),
      ],
    });
  });

  it('CancelApplication', async () => {
    await fuzzMethod(target, 'CancelApplication', {
      validRequests: () => [encodePartial(CancelApplicationRequest, { applicationId })],
    });
  });

  // The application's job is a bounded one: a savepoint or a stop with one is refused
  // (FAILED_PRECONDITION), whatever the fuzzed fields name, and nothing is stopped.
  it('TriggerSavepoint', async () => {
    const directory = tempDir('flotilla-fuzz-savepoints-');
    await fuzzMethod(target, 'TriggerSavepoint', {
      validRequests: () => [
        encodePartial(ClusterClientServiceTriggerSavepointRequest, { applicationId, targetDirectory: directory }),
        encodePartial(ClusterClientServiceTriggerSavepointRequest, { jobId, targetDirectory: directory }),
      ],
    });
  });

  it('StopApplication', async () => {
    await fuzzMethod(target, 'StopApplication', {
      validRequests: () => [
        encodePartial(StopApplicationRequest, {
          applicationId,
          targetDirectory: tempDir('flotilla-fuzz-savepoints-'),
        }),
      ],
    });
  });

  it('fuzzed every RPC of the service', () => {
    const rpcs = target.service.methods.map((method) => method.name).sort();
    expect(rpcs.filter((name) => !fuzzedMethods.has(`${SERVICE}/${name}`))).toEqual([]);
  });

  it('is still serving with a clean log', async () => {
    expect(await healthOf(controlPlane.process, SERVICE)).toBe('SERVING');
    expect((await client.getApplication({ applicationId }, patiently())).application!.name).toBe(HOSTILE_NAME);
    expect(crashSigns(controlPlane.process.stderr())).toEqual([]);
    expect(crashSigns(cluster.jobManager.stderr())).toEqual([]);
  });

  it('deploys a cluster with a hostile but valid name and stops it again', async () => {
    const { cluster: deployed } = await client.deployCluster(
      DeployClusterRequest.fromPartial({ name: HOSTILE_NAME, spec: { taskExecutors: 1, slotsPerTaskExecutor: 1 } }),
      patiently(),
    );
    expect(deployed!.name).toBe(HOSTILE_NAME);
    await clusterInStatus(client, deployed!.id, ClusterStatus.RUNNING);
    await client.shutDownCluster({ clusterId: deployed!.id }, patiently());
    await clusterInStatus(client, deployed!.id, ClusterStatus.STOPPED);
    await expect.poll(() => clusterProcesses(controlPlane.stateDir), { timeout: 15_000, interval: 200 }).toEqual([]);
    expect(crashSigns(controlPlane.process.stderr())).toEqual([]);
  });
});
