/**
 * One application: what it is and how it stands (GetApplication), a Cancel button
 * (CancelApplication), its jobs (ListJobs), its event timeline (WatchApplication, live) and its
 * driver log (ReadDriverLog, following). Every event pushed by the watch fetches the application and
 * its jobs again (at most one fetch at a time, one more queued), so the page changes without a reload.
 */
import type { Application, JobSummary } from '../../../generated/flotilla/v1/resources.js';
import { ApplicationStatus, ExecutionState, JobStatus, SubmissionMode } from '../../../generated/flotilla/v1/status.js';
import { h, replaceChildren } from '../ui/dom.js';
import { enumName, formatFailure, formatTime, orDash } from '../ui/format.js';
import { describeError, Methods, type Session } from '../session/Session.js';
import { driverLogView } from './driverLogView.js';
import { eventTimeline } from './eventTimeline.js';

const TERMINAL: ReadonlySet<ApplicationStatus> = new Set([
  ApplicationStatus.FINISHED,
  ApplicationStatus.FAILED,
  ApplicationStatus.CANCELED,
]);

/** The page of application `applicationId`. */
export function applicationPage(applicationId: string) {
  return (root: HTMLElement, session: Session): (() => void) => {
    const controller = new AbortController();
    const { signal } = controller;
    const summary = h('dl', { class: 'summary', 'data-testid': 'summary' });
    const notice = h('p', { class: 'status', 'data-testid': 'notice' });
    const cancel = h('button', { type: 'button', 'data-testid': 'cancel' }, 'Cancel application');
    const jobs = h('tbody', null);
    let application: Application | undefined;

    const show = (next: Application) => {
      application = next;
      replaceChildren(summary, ...summaryRows(next));
      cancel.disabled = TERMINAL.has(next.status) || next.status === ApplicationStatus.CANCELING;
    };
    const refresh = queued(async () => {
      try {
        const [got, listed] = await Promise.all([
          session.unary(Methods.getApplication, { applicationId }, signal),
          session.unary(Methods.listJobs, { pageSize: 100, pageToken: '', applicationId, clusterId: '' }, signal),
        ]);
        if (got.application) show(got.application);
        replaceChildren(jobs, ...(listed.jobs.length > 0 ? listed.jobs.map(jobRow) : [emptyJobs()]));
      } catch (error) {
        if (!signal.aborted) replaceChildren(notice, describeError(error));
      }
    });
    cancel.addEventListener('click', () => {
      cancel.disabled = true;
      replaceChildren(notice, 'cancelling…');
      session.unary(Methods.cancelApplication, { applicationId }, signal).then(
        ({ application: answered }) => {
          replaceChildren(
            notice,
            `cancel requested; the control plane answered ${enumName(ApplicationStatus, answered?.status ?? 0)}`,
          );
          if (answered) show(answered);
        },
        (error: unknown) => {
          replaceChildren(notice, `cancel failed: ${describeError(error)}`);
          if (application) show(application);
        },
      );
    });

    replaceChildren(
      root,
      h('h2', null, 'Application ', h('span', { 'data-testid': 'application-id' }, applicationId)),
      summary,
      h('p', null, cancel),
      notice,
      h('section', null, h('h3', null, 'Jobs'), h('table', null, jobsHead(), jobs)),
      eventTimeline(session, applicationId, refresh, signal),
      driverLogView(session, applicationId, signal),
    );
    refresh();
    return () => controller.abort();
  };
}

/** The application's facts as term/definition pairs; the status carries data-status for tests and styles. */
function summaryRows(application: Application): HTMLElement[] {
  const status = enumName(ApplicationStatus, application.status);
  const rows: [string, Node | string][] = [
    ['Name', application.name],
    ['Status', h('span', { class: `status-cell ${status}`, 'data-testid': 'status', 'data-status': status }, status)],
    ['Mode', enumName(SubmissionMode, application.mode)],
    ['Entry', orDash(application.entry)],
    ['Cluster', orDash(application.clusterId)],
    ['Created', formatTime(application.createTime)],
    ['Ended', formatTime(application.endTime)],
  ];
  if (application.failure) rows.push(['Failure', formatFailure(application.failure)]);
  return rows.flatMap(([term, value]) => [h('dt', null, term), h('dd', null, value)]);
}

function jobsHead(): HTMLTableSectionElement {
  const columns = ['Job', 'Name', 'Status', 'Restarts', 'Tasks', 'Submitted', 'Ended'];
  return h('thead', null, h('tr', null, ...columns.map((column) => h('th', null, column))));
}

function jobRow(job: JobSummary): HTMLTableRowElement {
  const tasks = job.taskCounts.map(({ state, count }) => `${count} ${enumName(ExecutionState, state)}`).join(', ');
  return h(
    'tr',
    { 'data-job-id': job.id },
    h('td', null, job.id),
    h('td', null, job.name),
    h(
      'td',
      { class: `status-cell ${enumName(JobStatus, job.status)}`, title: formatFailure(job.failure) },
      enumName(JobStatus, job.status),
    ),
    h('td', null, job.restarts),
    h('td', null, orDash(tasks)),
    h('td', null, formatTime(job.submitTime)),
    h('td', null, formatTime(job.endTime)),
  );
}

function emptyJobs(): HTMLTableRowElement {
  return h('tr', null, h('td', { colspan: '7' }, 'no jobs yet'));
}

/** `task` run at most once at a time; calls while it runs make one more run after it. */
function queued(task: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    void task().finally(() => {
      running = false;
      if (again) {
        again = false;
        run();
      }
    });
  };
  return run;
}
