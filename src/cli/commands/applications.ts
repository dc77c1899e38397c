/** `flotilla list` and `flotilla cancel APP`: the applications the control plane knows. */
import { ApplicationStatus, SubmissionMode } from '../../../generated/flotilla/v1/status.js';
import type { Application } from '../../../generated/flotilla/v1/resources.js';
import { connectFromOptions } from '../options/controlPlaneConnection.js';
import type { CommandSpec, ParsedCommandLine } from '../options/args.js';
import { CLIENT_OPTIONS } from '../options/commonOptions.js';
import { formatTable } from '../output/formatTable.js';

export const listCommand: CommandSpec = {
  name: 'list',
  summary: 'List applications, newest first.',
  positionals: [],
  options: [
    { name: 'limit', type: 'number', valueName: 'N', description: 'Show at most N applications.', default: 50 },
    ...CLIENT_OPTIONS,
  ],
};

export async function runList(args: ParsedCommandLine): Promise<number> {
  const connection = connectFromOptions(args.options);
  try {
    const { applications } = await connection.call((client) =>
      client.listApplications({ pageSize: args.options.limit as number, pageToken: '', statuses: [] }),
    );
    process.stdout.write(
      formatTable(
        ['ID', 'NAME', 'MODE', 'STATUS', 'CLUSTER', 'CREATED'],
        applications.map((application) => [
          application.id,
          application.name,
          SubmissionMode[application.mode] ?? '',
          ApplicationStatus[application.status] ?? '',
          `${application.clusterId}${application.ownsCluster ? ' (owned)' : ''}`,
          application.createTime?.toISOString() ?? '',
        ]),
      ),
    );
    return 0;
  } finally {
    connection.close();
  }
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
