/**
 * Converts the control plane's cluster status and submission mode enums between proto and domain. The domain's names
 * are the proto value names without their prefix, so one table per enum serves both directions;
 * UNSPECIFIED and values this build does not know are INVALID_ARGUMENT naming the field.
 */
import {
  ClusterStatus as ClusterStatusMessage,
  FailureCategory as FailureCategoryMessage,
  SubmissionMode as SubmissionModeMessage,
} from '../../../generated/flotilla/v1/status.js';
import { InvalidArgumentError } from '../../common/errors.js';
import type { SubmissionMode } from '../model/Application.js';
import { CLUSTER_STATUSES, type ClusterStatus } from '../model/Cluster.js';
import type { FailureCategory } from '../model/FailureCategory.js';

function converter<D extends string, M extends number>(
  names: readonly D[],
  enumObject: Record<string, string | number>,
  typeName: string,
) {
  return {
    toMessage: (value: D): M => enumObject[value] as M,
    fromMessage(value: M, field: string): D {
      const name = enumObject[value];
      if (typeof name !== 'string' || !names.includes(name as D)) {
        throw new InvalidArgumentError(`${field} must be one of ${names.join(', ')} (a ${typeName}), got ${value}`);
      }
      return name as D;
    },
  };
}

const clusterStatus = converter<ClusterStatus, ClusterStatusMessage>(
  CLUSTER_STATUSES,
  ClusterStatusMessage,
  'ClusterStatus',
);
const submissionMode = converter<SubmissionMode, SubmissionModeMessage>(
  ['SESSION', 'PER_JOB', 'APPLICATION', 'DRIVER'],
  SubmissionModeMessage,
  'SubmissionMode',
);

/** Application statuses convert as the Dispatcher's do. */
export { applicationStatusFromMessage, applicationStatusToMessage } from '../../rpc/convert/status.js';
/** A domain cluster status as its proto enum. */
export const clusterStatusToMessage = clusterStatus.toMessage;
/** A proto cluster status as the domain's; unknown values are INVALID_ARGUMENT naming `field`. */
export const clusterStatusFromMessage = clusterStatus.fromMessage;
/** A domain submission mode as its proto enum. */
export const submissionModeToMessage = submissionMode.toMessage;
/** A proto submission mode as the domain's; UNSPECIFIED is undefined, unknown values INVALID_ARGUMENT naming `field`. */
export function submissionModeFromMessage(value: SubmissionModeMessage, field: string): SubmissionMode | undefined {
  return value === SubmissionModeMessage.UNSPECIFIED ? undefined : submissionMode.fromMessage(value, field);
}
/** A failure category as its proto enum; none is UNSPECIFIED. */
export function failureCategoryToMessage(category: FailureCategory | undefined): FailureCategoryMessage {
  return category === undefined ? FailureCategoryMessage.UNSPECIFIED : FailureCategoryMessage[category];
}
