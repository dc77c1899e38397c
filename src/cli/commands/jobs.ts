/**
 * `flotilla jobs APP` and `flotilla jobs --cluster ID`: the jobs of an application or of a cluster,
 * newest first, a page at a time (or every page with --all); with `-o json`, the ListJobs answer.
 */
import { ListJobsResponse } from '../../../generated/flotilla/v1/cluster_client_service.js';
import { UsageError, type CommandSpec, type ParsedCommandLine } from '../options/args.js';
import { CLIENT_OPTIONS } from '../options/commonOptions.js';
import { connectFromOptions } from '../options/controlPlaneConnection.js';
import { pagingOptions, pagingRequestOf } from '../options/pagingOptions.js';
import { formatJobTable } from '../output/jobTable.js';
import { TABLE_FORMATS, outputFormatOf, outputOption } from '../options/outputOption.js';
import { printJson } from '../output/outputFormat.js';
import { noteMorePages, readPages } from '../output/readPages.js';

export const jobsCommand: CommandSpec = {
  name: 'jobs',
  summary: "List an application's jobs (or a cluster's, with --cluster), newest first, a page at a time.",
  description:
    'With -o json it prints the ListJobs answer in the proto3 JSON mapping; its nextPageToken, when not empty, is the --page-token of the next page.',
  positionals: [{ name: 'APP', description: 'The application id; leave it out with --cluster.' }],
  options: [
    {
      name: 'cluster',
      type: 'string',
      valueName: 'ID',
      description: 'The jobs of this cluster instead (or as well: both must match).',
    },
    ...pagingOptions('jobs', 50),
    outputOption(TABLE_FORMATS),
    ...CLIENT_OPTIONS,
  ],
};

export async function runJobs(args: ParsedCommandLine): Promise<number> {
  const format = outputFormatOf(args, TABLE_FORMATS);
  const paging = pagingRequestOf(args);
  const applicationId = args.positionals[0] ?? '';
  const clusterId = (args.options.cluster as string | undefined) ?? '';
  if (applicationId === '' && clusterId === '')
    throw new UsageError('name an application (flotilla jobs APP) or a cluster (flotilla jobs --cluster ID)');
  const connection = connectFromOptions(args.options);
  try {
    const { items: jobs, nextPageToken } = await readPages(paging, async (pageSize, pageToken) => {
      const page = await connection.call(
        (client) => client.listJobs({ pageSize, pageToken, applicationId, clusterId }),
        { idempotent: true },
      );
      return { items: page.jobs, nextPageToken: page.nextPageToken };
    });
    if (format === 'json') printJson(ListJobsResponse.toJSON({ jobs, nextPageToken }));
    else process.stdout.write(formatJobTable(jobs, format === 'wide'));
    const command = ['flotilla jobs', applicationId, clusterId && `--cluster ${clusterId}`].filter(Boolean).join(' ');
    noteMorePages(nextPageToken, command);
    return 0;
  } finally {
    connection.close();
  }
}
