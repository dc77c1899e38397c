/**
 * Converts job statuses, execution states, application statuses, living priorities and errors between the proto enums
 * and the domain's string unions. Values a client sends that the domain does not know (UNSPECIFIED,
 * or a number from a newer schema) are refused with INVALID_ARGUMENT naming the field.
 */
import type { SerializedError as SerializedErrorMessage } from '../../../generated/flotilla/v1/common.js';
import {
  ApplicationStatus as ApplicationStatusMessage,
  ExecutionState as ExecutionStateMessage,
  JobStatus as JobStatusMessage,
  LivingPriority as LivingPriorityMessage,
} from '../../../generated/flotilla/v1/status.js';
import { InvalidArgumentError } from '../../common/errors.js';
import type {
  ApplicationStatus,
  ExecutionState,
  JobStatus,
  LivingPriority,
  SerializedError,
} from '../../common/status.js';

function enumConverter<D extends string, M extends number>(table: Record<D, M>, typeName: string) {
  const reverse = new Map<number, D>(Object.entries(table).map(([name, value]) => [value as number, name as D]));
  return {
    toMessage: (value: D): M => table[value],
    fromMessage(value: M, field: string): D {
      const found = reverse.get(value);
      if (found === undefined)
        throw new InvalidArgumentError(
          `${field} must be one of ${Object.keys(table).join(', ')} (a ${typeName}), got ${value}`,
        );
      return found;
    },
  };
}

const jobStatus = enumConverter<JobStatus, JobStatusMessage>(
  {
    CREATED: JobStatusMessage.CREATED,
    RUNNING: JobStatusMessage.RUNNING,
    FAILING: JobStatusMessage.FAILING,
    FAILED: JobStatusMessage.FAILED,
    CANCELLING: JobStatusMessage.CANCELLING,
    CANCELED: JobStatusMessage.CANCELED,
    FINISHED: JobStatusMessage.FINISHED,
    RESTARTING: JobStatusMessage.RESTARTING,
    SUSPENDED: JobStatusMessage.SUSPENDED,
  },
  'JobStatus',
);

const executionState = enumConverter<ExecutionState, ExecutionStateMessage>(
  {
    CREATED: ExecutionStateMessage.CREATED,
    SCHEDULED: ExecutionStateMessage.SCHEDULED,
    DEPLOYING: ExecutionStateMessage.DEPLOYING,
    INITIALIZING: ExecutionStateMessage.INITIALIZING,
    RUNNING: ExecutionStateMessage.RUNNING,
    FINISHED: ExecutionStateMessage.FINISHED,
    CANCELING: ExecutionStateMessage.CANCELING,
    CANCELED: ExecutionStateMessage.CANCELED,
    FAILED: ExecutionStateMessage.FAILED,
  },
  'ExecutionState',
);

const applicationStatus = enumConverter<ApplicationStatus, ApplicationStatusMessage>(
  {
    CREATED: ApplicationStatusMessage.CREATED,
    DEPLOYING: ApplicationStatusMessage.DEPLOYING,
    RUNNING: ApplicationStatusMessage.RUNNING,
    FAILING: ApplicationStatusMessage.FAILING,
    FAILED: ApplicationStatusMessage.FAILED,
    CANCELING: ApplicationStatusMessage.CANCELING,
    CANCELED: ApplicationStatusMessage.CANCELED,
    FINISHED: ApplicationStatusMessage.FINISHED,
  },
  'ApplicationStatus',
);

const livingPriority = enumConverter<LivingPriority, LivingPriorityMessage>(
  { DRIVER: LivingPriorityMessage.DRIVER, NORMAL: LivingPriorityMessage.NORMAL, DAEMON: LivingPriorityMessage.DAEMON },
  'LivingPriority',
);

/** A domain job status as its proto enum. */
export const jobStatusToMessage = jobStatus.toMessage;
/** A proto job status as the domain's; unknown values are INVALID_ARGUMENT naming `field`. */
export const jobStatusFromMessage = jobStatus.fromMessage;
/** A domain execution state as its proto enum. */
export const executionStateToMessage = executionState.toMessage;
/** A proto execution state as the domain's; unknown values are INVALID_ARGUMENT naming `field`. */
export const executionStateFromMessage = executionState.fromMessage;
/** A domain application status as its proto enum. */
export const applicationStatusToMessage = applicationStatus.toMessage;
/** A proto application status as the domain's; unknown values are INVALID_ARGUMENT naming `field`. */
export const applicationStatusFromMessage = applicationStatus.fromMessage;
/** A domain living priority as its proto enum. */
export const livingPriorityToMessage = livingPriority.toMessage;
/** A proto living priority as the domain's; unknown values are INVALID_ARGUMENT naming `field`. */
export const livingPriorityFromMessage = livingPriority.fromMessage;

/** A domain error as its proto message. */
export function serializedErrorToMessage(error: SerializedError): SerializedErrorMessage {
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    cause: error.cause && serializedErrorToMessage(error.cause),
  };
}

/** A proto error as the domain's; undefined when absent. */
export function serializedErrorFromMessage(message: SerializedErrorMessage | undefined): SerializedError | undefined {
  if (!message) return undefined;
  const error: SerializedError = { name: message.name || 'Error', message: message.message, stack: message.stack };
  const cause = serializedErrorFromMessage(message.cause);
  if (cause) error.cause = cause;
  return error;
}
