/** Converts applications and RunApplication requests between `flotilla.v1` messages and the control plane's domain. */
import type { RunApplicationRequest } from '../../../generated/flotilla/v1/cluster_client_service.js';
import type { BundleReference } from '../../../generated/flotilla/v1/job_graph.js';
import type { Application as ApplicationMessage } from '../../../generated/flotilla/v1/resources.js';
import { serializedErrorToMessage } from '../../rpc/convert/status.js';
import type { RunApplicationInput } from '../applications/RunApplicationInput.js';
import type { Application, ApplicationBundle } from '../model/Application.js';
import { clusterSpecInputFromMessage } from './clusterMessages.js';
import { applicationSavepointToMessage } from './savepointMessages.js';
import { applicationFailureCategory } from '../model/FailureCategory.js';
import {
  applicationStatusToMessage,
  failureCategoryToMessage,
  submissionModeFromMessage,
  submissionModeToMessage,
} from './enums.js';

/** A domain application as its proto message. */
export function applicationToMessage(application: Application): ApplicationMessage {
  return {
    id: application.id,
    name: application.name,
    status: applicationStatusToMessage(application.status),
    mode: submissionModeToMessage(application.mode),
    detached: application.detached,
    bundle: bundleToMessage(application.bundle),
    entry: application.entry,
    args: [...application.args],
    clusterId: application.clusterId,
    ownsCluster: application.ownsCluster,
    driverJobId: application.driverJobId,
    jobIds: [...application.jobIds],
    driverResources: { ...application.driverResources },
    parallelism: application.parallelism,
    savepoint: application.savepoint && {
      path: application.savepoint.path,
      allowNonRestoredState: application.savepoint.allowNonRestoredState,
    },
    properties: { ...application.properties },
    createTime: application.createTime,
    endTime: application.endTime,
    failure: application.failure && serializedErrorToMessage(application.failure),
    lastEventSequence: BigInt(application.lastEventSequence),
    requestId: application.requestId,
    failureCategory: failureCategoryToMessage(applicationFailureCategory(application.status, application.failure)),
    driverAttempts: application.driverAttempts,
    driverRetryOwnFailures: application.driverRetryOwnFailures,
    lastSavepoint: application.lastSavepoint && applicationSavepointToMessage(application.lastSavepoint),
    attempts: application.attempts.map((attempt) => ({
      number: attempt.number,
      driverJobId: attempt.driverJobId,
      clusterId: attempt.clusterId,
      startTime: attempt.startTime,
      endTime: attempt.endTime,
      cause: attempt.cause && serializedErrorToMessage(attempt.cause),
      category: failureCategoryToMessage(attempt.category),
    })),
  };
}

function bundleToMessage(bundle: ApplicationBundle): BundleReference {
  return 'artifactId' in bundle
    ? { source: { $case: 'artifactId', artifactId: bundle.artifactId } }
    : { source: { $case: 'uri', uri: bundle.uri } };
}

/** A RunApplication request as the domain's input; unknown enum values are INVALID_ARGUMENT naming the field. */
export function runApplicationInputFromMessage(request: RunApplicationRequest): RunApplicationInput {
  const source = request.bundle?.source;
  const target = request.cluster?.target;
  const resources = request.driverResources;
  return {
    requestId: request.requestId,
    name: request.name,
    bundle: !source
      ? undefined
      : source.$case === 'artifactId'
        ? { artifactId: source.artifactId }
        : { uri: source.uri },
    entry: request.entry,
    args: request.args,
    mode: submissionModeFromMessage(request.mode, 'mode'),
    detached: request.detached,
    target: !target
      ? undefined
      : target.$case === 'deploy'
        ? { kind: 'deploy', spec: clusterSpecInputFromMessage(target.deploy) }
        : target.$case === 'clusterId'
          ? { kind: 'cluster', clusterId: target.clusterId }
          : { kind: 'jobmanager', address: target.jobmanagerAddress },
    driverResources: {
      cpus: resources?.cpus ?? 0,
      heapMemoryMb: resources?.heapMemoryMb ?? 0,
      directMemoryMb: resources?.directMemoryMb ?? 0,
      nativeMemoryMb: resources?.nativeMemoryMb ?? 0,
    },
    parallelism: request.parallelism,
    savepoint: request.savepoint && {
      path: request.savepoint.path,
      allowNonRestoredState: request.savepoint.allowNonRestoredState,
    },
    resume: request.resume,
    properties: { ...request.properties },
    driverAttempts: request.driverAttempts,
    driverRetryOwnFailures: request.driverRetryOwnFailures,
  };
}
