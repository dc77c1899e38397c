/** `flotilla list` and `flotilla cancel APP`: the applications the control plane knows, paged. */
import { ApplicationStatus, SubmissionMode } from '../../../generated/flotilla/v1/status.js';
import type { Application } from '../../../generated/flotilla/v1/resources.js';
import { connectFromOptions } from '../options/controlPlaneConnection.js';
import type { CommandSpec, ParsedCommandLine } from '../options/args.js';
import { CLIENT_OPTIONS } from '../options/commonOptions.js';
import { formatTable } from '../output/formatTable.js';
import { TABLE_FORMATS, outputFormatOf, outputOption } from '../options/outputOption.js';
import { printJson } from '../output/outputFormat.js';
import { noteMorePages, readPages } from '../output/readPages.js';
import { pagingOptions, pagingRequestOf } from '../options/pagingOptions.js';
import { ListApplicationsResponse } from '../../../generated/flotilla/v1/cluster_client_service.js';

export const listCommand: CommandSpec = {
  name: 'list',
  summary: 'List applications, newest first, a page at a time (--all for every page).',
  description:
    'When more applications exist than the page shows, a line on stderr gives the --page-token of the next page. With -o json it prints the ListApplications answer in the proto3 JSON mapping (with --all, every page in one answer).',
  positionals: [],
  options: [...pagingOptions('applications', 50), outputOption(TABLE_FORMATS), ...CLIENT_OPTIONS],
};

export async function runList(args: ParsedCommandLine): Promise<number> {
  const format = outputFormatOf(args, TABLE_FORMATS);
  const paging = pagingRequestOf(args);
  const connection = connectFromOptions(args.options);
  try {
    const { items: applications, nextPageToken } = await readPages(paging, async (pageSize, pageToken) => {
      const page = await connection.call((client) => client.listApplications({ pageSize, pageToken, statuses: [] }), {
        idempotent: true,
      });
      return { items: page.applications, nextPageToken: page.nextPageToken };
    });
    if (format === 'json') printJson(ListApplicationsResponse.toJSON({ applications, nextPageToken }));
    else process.stdout.write(formatApplicationTable(applications, format === 'wide'));
    noteMorePages(nextPageToken, 'flotilla list');
    return 0;
  } finally {
    connection.close();
  }
}

function formatApplicationTable(applications: readonly Application[], wide: boolean): string {
  const headers = ['ID', 'NAME', 'MODE', 'STATUS', 'CLUSTER', 'CREATED'];
  if (wide) headers.push('ENDED', 'JOBS', 'DRIVER', 'FAILURE');
  return formatTable(
    headers,
    applications.map((application) => {
      const row = [
        application.id,
        application.name,
        SubmissionMode[application.mode] ?? '',
        ApplicationStatus[application.status] ?? '',
        `${application.clusterId}${application.ownsCluster ? ' (owned)' : ''}`,
        application.createTime?.toISOString() ?? '',
      ];
      if (wide) {
        row.push(
          application.endTime?.toISOString() ?? '',
          String(application.jobIds.length),
          application.driverJobId,
          application.failure ? `${application.failure.name}: ${application.failure.message}` : '',
        );
      }
      return row;
    }),
  );
}

export const cancelCommand: CommandSpec = {
  name: 'cancel',
  summary: 'Cancel an application: its jobs are cancelled, and a cluster deployed for it is torn down.',
  positionals: [{ name: 'APP', description: 'The application id.', required: true }],
  options: [...CLIENT_OPTIONS],
};

export async function runCancel(args: ParsedCommandLine): Promise<number> {
  const connection = connectFromOptions(args.options);
  try {
    const { application } = await connection.call((client) =>
      client.cancelApplication({ applicationId: args.positionals[0] }),
    );
    process.stderr.write(`application ${args.positionals[0]} is ${statusOf(application)}\n`);
    return 0;
  } finally {
    connection.close();
  }
}

function statusOf(application: Application | undefined): string {
  return application ? (ApplicationStatus[application.status] ?? 'unknown') : 'unknown';
}
