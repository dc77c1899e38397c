/**
 * The application RPCs of ClusterClientService: proto in, domain call, proto out. Statuses come
 * from the domain errors the application manager throws (mapped by the server's middleware).
 */
import type { CallContext } from 'nice-grpc-common';
import type { ClusterClientServiceImplementation } from '../../../generated/flotilla/v1/cluster_client_service.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { toSafeNumber } from '../../rpc/longs.js';
import type { ApplicationManager } from '../applications/ApplicationManager.js';
import { applicationToMessage, runApplicationInputFromMessage } from './applicationMessages.js';
import { applicationStatusFromMessage } from './enums.js';
import { applicationEventToMessage } from './eventMessages.js';

type ApplicationRpcs = Pick<
  ClusterClientServiceImplementation<CallContext>,
  'runApplication' | 'getApplication' | 'listApplications' | 'cancelApplication' | 'watchApplication'
>;

/** The application RPCs over `applications`. */
export function applicationHandlers(applications: ApplicationManager): ApplicationRpcs {
  return {
    async runApplication(request) {
      const { application, deduplicated } = await applications.run(runApplicationInputFromMessage(request));
      return { application: applicationToMessage(application), deduplicated };
    },

    async getApplication(request) {
      return { application: applicationToMessage(applications.get(requireApplicationId(request.applicationId))) };
    },

    async listApplications(request) {
      const statuses = request.statuses.map((status, index) => applicationStatusFromMessage(status, `statuses[${index}]`));
      const page = applications.list({ pageSize: request.pageSize, pageToken: request.pageToken, statuses });
      return { applications: page.applications.map(applicationToMessage), nextPageToken: page.nextPageToken };
    },

    async cancelApplication(request) {
      return { application: applicationToMessage(applications.cancel(requireApplicationId(request.applicationId))) };
    },

    async *watchApplication(request, context) {
      const events = applications.watch({
        applicationId: requireApplicationId(request.applicationId),
        afterSequence: toSafeNumber(request.afterSequence, 'after_sequence'),
        follow: request.follow,
        signal: context.signal,
      });
      for await (const event of events) yield { event: applicationEventToMessage(event) };
    },
  };
}

function requireApplicationId(applicationId: string): string {
  if (!applicationId) throw new InvalidArgumentError('application_id is required');
  return applicationId;
}
