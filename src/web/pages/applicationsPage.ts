/** The applications, newest first (ListApplications), fetched again every few seconds. */
import type { Application } from '../../../generated/flotilla/v1/resources.js';
import { ApplicationStatus, SubmissionMode } from '../../../generated/flotilla/v1/status.js';
import { h, pageLink } from '../ui/dom.js';
import { enumName, formatTime, orDash } from '../ui/format.js';
import { Methods } from '../session/Session.js';
import type { Page } from './Page.js';
import { showPollingList } from './pollingList.js';

/** How many applications the list shows (the newest). */
const SHOWN = 100;

export const applicationsPage: Page = (root, session) =>
  showPollingList<Application>(root, {
    title: 'Applications',
    columns: ['Application', 'Name', 'Status', 'Mode', 'Cluster', 'Created', 'Ended'],
    empty: 'No applications yet. Submit one with flotilla run.',
    fetch: async (signal) =>
      (await session.unary(Methods.listApplications, { pageSize: SHOWN, pageToken: '', statuses: [] }, signal))
        .applications,
    render: (application) =>
      h(
        'tr',
        { 'data-application-id': application.id },
        h('td', null, pageLink(['applications', application.id], application.id)),
        h('td', null, application.name),
        h(
          'td',
          { class: `status-cell ${enumName(ApplicationStatus, application.status)}`, 'data-testid': 'status' },
          enumName(ApplicationStatus, application.status),
        ),
        h('td', null, enumName(SubmissionMode, application.mode)),
        h('td', null, orDash(application.clusterId)),
        h('td', null, formatTime(application.createTime)),
        h('td', null, formatTime(application.endTime)),
      ),
  });
