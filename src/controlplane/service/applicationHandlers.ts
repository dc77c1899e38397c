/**
 * The application RPCs of ClusterClientService: proto in, domain call (through the view of the
 * caller's tenant), proto out. Statuses come from the domain errors the application manager throws
 * (mapped by the server's middleware).
 */
import type { CallContext } from 'nice-grpc-common';
import type { ClusterClientServiceImplementation } from '../../../generated/flotilla/v1/cluster_client_service.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { toSafeNumber } from '../../rpc/longs.js';
import { callerOf } from '../../rpc/security/Caller.js';
import type { ControlPlaneMetrics } from '../metrics/ControlPlaneMetrics.js';
import type { TenantViews } from '../tenants/TenantView.js';
import { applicationToMessage, runApplicationInputFromMessage } from './applicationMessages.js';
import { applicationStatusFromMessage } from './enums.js';
import { watchResponseOf } from './sharedResponses.js';
import { applicationSavepointToMessage } from './savepointMessages.js';

type ApplicationRpcs = Pick<
  ClusterClientServiceImplementation<CallContext>,
  | 'runApplication'
  | 'getApplication'
  | 'listApplications'
  | 'cancelApplication'
  | 'watchApplication'
  | 'triggerSavepoint'
  | 'stopApplication'
>;

/** The application RPCs over the caller's tenant's view. */
export function applicationHandlers(views: TenantViews, metrics?: ControlPlaneMetrics): ApplicationRpcs {
  return {
    async runApplication(request, context) {
      const started = performance.now();
      const { application, deduplicated } = await views(callerOf(context).tenant).runApplication(
        runApplicationInputFromMessage(request),
      );
      if (!deduplicated) metrics?.submitted(application, (performance.now() - started) / 1000);
      return { application: applicationToMessage(application), deduplicated };
    },

    async getApplication(request, context) {
      return {
        application: applicationToMessage(
          await views(callerOf(context).tenant).getApplication(requireApplicationId(request.applicationId)),
        ),
      };
    },

    async listApplications(request, context) {
      const statuses = request.statuses.map((status, index) =>
        applicationStatusFromMessage(status, `statuses[${index}]`),
      );
      const page = await views(callerOf(context).tenant).listApplications({
        pageSize: request.pageSize,
        pageToken: request.pageToken,
        statuses,
      });
      return { applications: page.applications.map(applicationToMessage), nextPageToken: page.nextPageToken };
    },

    async cancelApplication(request, context) {
      return {
        application: applicationToMessage(
          await views(callerOf(context).tenant).cancelApplication(requireApplicationId(request.applicationId)),
        ),
      };
    },

    async triggerSavepoint(request, context) {
      if ((request.applicationId === '') === (request.jobId === ''))
        throw new InvalidArgumentError(
          'set exactly one of application_id (a savepoint of every running job of the application) and job_id (of one job)',
        );
      const subject = request.jobId ? { jobId: request.jobId } : { applicationId: request.applicationId };
      const savepoint = await views(callerOf(context).tenant).triggerSavepoint(subject, request.targetDirectory);
      return { savepoint: applicationSavepointToMessage(savepoint) };
    },

    async stopApplication(request, context) {
      const { savepoint, application } = await views(callerOf(context).tenant).stopApplication(
        requireApplicationId(request.applicationId),
        request.targetDirectory,
      );
      return { application: applicationToMessage(application), savepoint: applicationSavepointToMessage(savepoint) };
    },

    async *watchApplication(request, context) {
      const events = await views(callerOf(context).tenant).watchApplication({
        applicationId: requireApplicationId(request.applicationId),
        afterSequence: toSafeNumber(request.afterSequence, 'after_sequence'),
        follow: request.follow,
        signal: context.signal,
      });
      const watchStart = Date.now();
      const closed = metrics?.watchOpened();
      try {
        // The same response (and bytes) for every watcher of the event.
        for await (const event of events) {
          metrics?.delivered(event, watchStart);
          yield watchResponseOf(event);
        }
      } finally {
        closed?.();
      }
    },
  };
}

function requireApplicationId(applicationId: string): string {
  if (!applicationId) throw new InvalidArgumentError('application_id is required');
  return applicationId;
}
