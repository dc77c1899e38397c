/** `flotilla cluster start|list|stop`: shared session clusters, deployed and stopped by the control plane. */
import { randomUUID } from 'node:crypto';
import type { Cluster } from '../../../generated/flotilla/v1/resources.js';
import { ClusterStatus } from '../../../generated/flotilla/v1/status.js';
import type { ControlPlaneConnection } from '../../client/controlPlaneClient.js';
import { connectFromOptions } from '../options/controlPlaneConnection.js';
import { FlotillaError } from '../../common/errors.js';
import type { CommandSpec, ParsedCommandLine } from '../options/args.js';
import { CLIENT_OPTIONS, QUIET_OPTION } from '../options/commonOptions.js';
import { formatElapsed } from '../output/followProgress.js';
import { readiness } from '../../client/describeEvent.js';
import { statusLine } from '../output/statusLine.js';
import { formatTable } from '../output/formatTable.js';
import { TABLE_FORMATS, outputFormatOf, outputOption } from '../options/outputOption.js';
import { printJson } from '../output/outputFormat.js';
import { readAllPages } from '../output/readPages.js';
import { ListClustersResponse } from '../../../generated/flotilla/v1/cluster_client_service.js';
import { positiveInteger } from '../options/optionValues.js';
import { KUBERNETES_CLUSTER_OPTIONS, kubernetesPropertiesOf } from '../options/kubernetesClusterOptions.js';

export const clusterStartCommand: CommandSpec = {
  name: 'cluster start',
  summary: 'Deploy a shared session cluster; print its id once it runs.',
  description:
    'Applications run on it with "flotilla run -D --cluster ID"; it stays up until "flotilla cluster stop ID", whatever its applications do. Progress goes to stderr while it deploys: a line for each status and count of task executors ready ("ready 1/2 task executors"), and on a terminal a spinner below them.',
  positionals: [],
  options: [
    { name: 'name', type: 'string', valueName: 'NAME', description: 'A name to recognise it by.', default: '' },
    {
      name: 'task-executors',
      aliases: ['-kn'],
      type: 'number',
      valueName: 'N',
      description: 'Task executor processes (pods on Kubernetes).',
      default: 1,
    },
    {
      name: 'slots',
      aliases: ['-ks'],
      type: 'number',
      valueName: 'N',
      description: 'Slots per task executor.',
      default: 4,
    },
    {
      name: 'no-wait',
      type: 'boolean',
      description: 'Print the id at once instead of waiting until the cluster runs.',
    },
    ...KUBERNETES_CLUSTER_OPTIONS,
    QUIET_OPTION,
    ...CLIENT_OPTIONS,
  ],
};

export async function runClusterStart(args: ParsedCommandLine): Promise<number> {
  const taskExecutors = positiveInteger(args, 'task-executors');
  const slots = positiveInteger(args, 'slots');
  const connection = connectFromOptions(args.options);
  try {
    const { cluster } = await connection.call(
      (client) =>
        client.deployCluster({
          name: args.options.name as string,
          spec: {
            taskExecutors,
            slotsPerTaskExecutor: slots,
            taskExecutorResources: undefined,
            properties: kubernetesPropertiesOf(args.options),
          },
          requestId: randomUUID(),
        }),
      { idempotent: true },
    );
    const id = cluster!.id;
    if (args.options['no-wait'] !== true) await waitUntilRunning(connection, id, args.options.quiet === true);
    process.stdout.write(`${id}\n`);
    return 0;
  } finally {
    connection.close();
  }
}

/**
 * Polls the cluster until it runs. A line goes to stderr whenever its status or the task executors
 * ready change (the control plane records each count as it grows); on a terminal a status line
 * with a spinner and the time so far stays below them. With --quiet, neither.
 */
async function waitUntilRunning(connection: ControlPlaneConnection, clusterId: string, quiet: boolean): Promise<void> {
  const started = Date.now();
  const lines = statusLine({ quiet });
  let shown = '';
  try {
    for (;;) {
      const { cluster } = await connection.call((client) => client.getCluster({ clusterId }), { idempotent: true });
      const status = cluster!.status;
      const state = `cluster ${clusterId} ${ClusterStatus[status]}, ${readiness(cluster!.registeredTaskExecutors, cluster!.spec?.taskExecutors ?? 0)}`;
      const elapsed = () => formatElapsed(Date.now() - started);
      if (state !== shown && !quiet) lines.print(`${state} (${elapsed()})`);
      shown = state;
      if (status === ClusterStatus.RUNNING) return;
      if (status === ClusterStatus.FAILED || status === ClusterStatus.STOPPED || status === ClusterStatus.STOPPING) {
        throw new FlotillaError(
          `cluster ${clusterId} did not start: ${cluster!.failure?.message ?? ClusterStatus[status]}`,
        );
      }
      lines.set(() => `${state} · ${elapsed()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    lines.close();
  }
}

export const clusterListCommand: CommandSpec = {
  name: 'cluster list',
  summary: 'List clusters the control plane deployed (shared and owned), newest first.',
  description:
    'It reads every page. With -o json it prints the ListClusters answer in the proto3 JSON mapping, every page in one answer.',
  positionals: [],
  options: [outputOption(TABLE_FORMATS), ...CLIENT_OPTIONS],
};

export async function runClusterList(args: ParsedCommandLine): Promise<number> {
  const format = outputFormatOf(args, TABLE_FORMATS);
  const connection = connectFromOptions(args.options);
  try {
    const clusters = await readAllPages(async (pageSize, pageToken) => {
      const page = await connection.call((client) => client.listClusters({ pageSize, pageToken, statuses: [] }), {
        idempotent: true,
      });
      return { items: page.clusters, nextPageToken: page.nextPageToken };
    });
    if (format === 'json') printJson(ListClustersResponse.toJSON({ clusters, nextPageToken: '' }));
    else process.stdout.write(formatClusterTable(clusters, format === 'wide'));
    return 0;
  } finally {
    connection.close();
  }
}

function formatClusterTable(clusters: readonly Cluster[], wide: boolean): string {
  const headers = ['ID', 'NAME', 'STATUS', 'JOB MANAGER', 'TASK EXECUTORS', 'OWNER'];
  if (wide) headers.push('SLOTS', 'TARGET', 'CREATED', 'ENDED', 'FAILURE');
  return formatTable(
    headers,
    clusters.map((cluster) => {
      const row = [
        cluster.id,
        cluster.name,
        ClusterStatus[cluster.status] ?? '',
        cluster.jobmanagerAddress,
        `${cluster.registeredTaskExecutors}/${cluster.spec?.taskExecutors ?? 0}`,
        cluster.ownerApplicationId || 'shared',
      ];
      if (wide) {
        row.push(
          String(cluster.spec?.slotsPerTaskExecutor ?? 0),
          cluster.deploymentTarget,
          cluster.createTime?.toISOString() ?? '',
          cluster.endTime?.toISOString() ?? '',
          cluster.failure ? `${cluster.failure.name}: ${cluster.failure.message}` : '',
        );
      }
      return row;
    }),
  );
}

export const clusterStopCommand: CommandSpec = {
  name: 'cluster stop',
  summary: 'Stop a shared cluster and every process of it.',
  positionals: [{ name: 'ID', description: 'The cluster id.', required: true }],
  options: [...CLIENT_OPTIONS],
};

export async function runClusterStop(args: ParsedCommandLine): Promise<number> {
  const connection = connectFromOptions(args.options);
  try {
    const { cluster } = await connection.call((client) => client.shutDownCluster({ clusterId: args.positionals[0] }));
    process.stderr.write(`cluster ${args.positionals[0]} is ${ClusterStatus[cluster!.status] ?? 'stopping'}\n`);
    return 0;
  } finally {
    connection.close();
  }
}
