/**
 * `flotilla status APP`: an application as the control plane knows it (status, mode, cluster,
 * times, restore and latest savepoint, failure with its category and cause, driver attempts with each one's cause), its driver, and each of its jobs with status, restarts and task
 * counts; or, with `-o json`, the GetApplication answer and the application's jobs as ListJobs
 * answers them.
 */
import { GetApplicationResponse, ListJobsResponse } from '../../../generated/flotilla/v1/cluster_client_service.js';
import type { SerializedError } from '../../../generated/flotilla/v1/common.js';
import type { Application, DriverAttempt, JobSummary } from '../../../generated/flotilla/v1/resources.js';
import {
  ApplicationStatus,
  FailureCategory,
  JobStatus,
  SubmissionMode,
} from '../../../generated/flotilla/v1/status.js';
import type { ControlPlaneConnection } from '../../client/controlPlaneClient.js';
import type { CommandSpec, ParsedCommandLine } from '../options/args.js';
import { CLIENT_OPTIONS } from '../options/commonOptions.js';
import { connectFromOptions } from '../options/controlPlaneConnection.js';
import { formatJobTable, taskCountsOf } from '../output/jobTable.js';
import { TABLE_FORMATS, outputFormatOf, outputOption } from '../options/outputOption.js';
import { printJson } from '../output/outputFormat.js';
import { readAllPages } from '../output/readPages.js';

export const statusCommand: CommandSpec = {
  name: 'status',
  summary: 'Show an application: its status, mode, cluster, times, failure, driver and jobs.',
  description:
    'With -o json it prints {"application": ..., "jobs": [...]}: the application as GetApplication answers it and every job of it as ListJobs answers them, in the proto3 JSON mapping.',
  positionals: [{ name: 'APP', description: 'The application id.', required: true }],
  options: [outputOption(TABLE_FORMATS), ...CLIENT_OPTIONS],
};

export async function runStatus(args: ParsedCommandLine): Promise<number> {
  const format = outputFormatOf(args, TABLE_FORMATS);
  const applicationId = args.positionals[0];
  const connection = connectFromOptions(args.options);
  try {
    const { application } = await connection.call((client) => client.getApplication({ applicationId }), {
      idempotent: true,
    });
    const jobs = await jobsOf(connection, applicationId);
    if (format === 'json') {
      const jobsJson = (ListJobsResponse.toJSON({ jobs, nextPageToken: '' }) as { jobs?: unknown[] }).jobs ?? [];
      printJson({ ...(GetApplicationResponse.toJSON({ application }) as object), jobs: jobsJson });
      return 0;
    }
    process.stdout.write(describeApplication(application!, jobs));
    const others = jobs.filter((job) => job.id !== application!.driverJobId);
    process.stdout.write(others.length > 0 ? `\n${formatJobTable(others, format === 'wide')}` : '\nJobs: none\n');
    return 0;
  } finally {
    connection.close();
  }
}

/** Every job of the application, all pages. */
async function jobsOf(connection: ControlPlaneConnection, applicationId: string): Promise<JobSummary[]> {
  return readAllPages(async (pageSize, pageToken) => {
    const page = await connection.call(
      (client) => client.listJobs({ pageSize, pageToken, applicationId, clusterId: '' }),
      { idempotent: true },
    );
    return { items: page.jobs, nextPageToken: page.nextPageToken };
  });
}

function describeApplication(application: Application, jobs: readonly JobSummary[]): string {
  const driver = jobs.find((job) => job.id === application.driverJobId);
  const fields: [string, string][] = [
    ['Application', `${application.id} (${application.name})`],
    ['Status', ApplicationStatus[application.status] ?? ''],
    ['Mode', `${SubmissionMode[application.mode] ?? ''}${application.detached ? ', detached' : ''}`],
    [
      'Cluster',
      application.clusterId ? `${application.clusterId}${application.ownsCluster ? ' (owned)' : ' (shared)'}` : '-',
    ],
    ['Created', application.createTime?.toISOString() ?? '-'],
    ['Ended', application.endTime?.toISOString() ?? '-'],
  ];
  if (application.savepoint?.path) fields.push(['Restored', `from savepoint ${application.savepoint.path}`]);
  const last = application.lastSavepoint;
  if (last)
    fields.push([
      'Savepoint',
      `${last.path || last.jobs.map((job) => job.path).join(', ')} (${last.createTime?.toISOString() ?? ''})`,
    ]);
  if (application.failureCategory !== FailureCategory.UNSPECIFIED)
    fields.push(['Category', FailureCategory[application.failureCategory] ?? '']);
  if (application.failure) fields.push(...failureLines(application.failure));
  if (application.driverAttempts > 1 || application.attempts.length > 1) {
    fields.push(['Attempts', `${application.attempts.length} of ${application.driverAttempts}`]);
    fields.push(['Retried', application.driverRetryOwnFailures ? 'any driver failure' : 'a lost driver only']);
    for (const attempt of application.attempts) fields.push([`Attempt ${attempt.number}`, describeAttempt(attempt)]);
  }
  if (application.driverJobId) {
    fields.push([
      'Driver',
      driver
        ? `${driver.id} ${JobStatus[driver.status] ?? ''}, restarts ${driver.restarts}, tasks ${taskCountsOf(driver)}`
        : application.driverJobId,
    ]);
  }
  const width = Math.max(...fields.map(([label]) => label.length)) + 2;
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}\n`).join('');
}

/** One driver attempt: its driver job, cluster, and how it ended. */
function describeAttempt(attempt: DriverAttempt): string {
  const where = `driver ${attempt.driverJobId || '-'} on cluster ${attempt.clusterId || '-'}`;
  if (attempt.cause)
    return `${where}: ${FailureCategory[attempt.category] ?? ''} ${attempt.cause.name}: ${attempt.cause.message}`;
  return `${where}${attempt.endTime ? ', ended' : ', running'}`;
}

/** The failure and each cause under it; the name is its category (the error's class). */
function failureLines(failure: SerializedError): [string, string][] {
  const lines: [string, string][] = [['Failure', `${failure.name}: ${failure.message}`]];
  for (let cause = failure.cause; cause; cause = cause.cause)
    lines.push(['Caused by', `${cause.name}: ${cause.message}`]);
  return lines;
}
