/** The clusters, newest first (ListClusters), fetched again every few seconds. */
import type { Cluster } from '../../../generated/flotilla/v1/resources.js';
import { ClusterStatus } from '../../../generated/flotilla/v1/status.js';
import { h, pageLink } from '../ui/dom.js';
import { enumName, formatFailure, formatTime, orDash } from '../ui/format.js';
import { Methods } from '../session/Session.js';
import type { Page } from './Page.js';
import { showPollingList } from './pollingList.js';

/** How many clusters the list shows (the newest). */
const SHOWN = 100;

export const clustersPage: Page = (root, session) =>
  showPollingList<Cluster>(root, {
    title: 'Clusters',
    columns: [
      'Cluster',
      'Name',
      'Status',
      'Application',
      'Job manager',
      'Task executors',
      'Target',
      'Created',
      'Ended',
    ],
    empty: 'No clusters yet. Start one with flotilla cluster start, or run an application in driver mode.',
    fetch: async (signal) =>
      (await session.unary(Methods.listClusters, { pageSize: SHOWN, pageToken: '', statuses: [] }, signal)).clusters,
    render: (cluster) =>
      h(
        'tr',
        { 'data-cluster-id': cluster.id },
        h('td', null, cluster.id),
        h('td', null, cluster.name),
        h(
          'td',
          { class: `status-cell ${enumName(ClusterStatus, cluster.status)}`, title: formatFailure(cluster.failure) },
          enumName(ClusterStatus, cluster.status),
        ),
        h(
          'td',
          null,
          cluster.ownerApplicationId
            ? pageLink(['applications', cluster.ownerApplicationId], cluster.ownerApplicationId)
            : 'shared',
        ),
        h('td', null, orDash(cluster.jobmanagerAddress)),
        h('td', null, `${cluster.registeredTaskExecutors} of ${cluster.spec?.taskExecutors ?? '?'}`),
        h('td', null, cluster.deploymentTarget),
        h('td', null, formatTime(cluster.createTime)),
        h('td', null, formatTime(cluster.endTime)),
      ),
  });
