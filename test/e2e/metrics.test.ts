/**
 * The metrics endpoints end to end: a real control plane with --metrics-listen and --cluster-metrics,
 * a real local session cluster whose job manager serves metrics too, and a driver-mode application
 * (the wordcount example: a driver job and two jobs) run on it with the CLI. Both endpoints are
 * scraped before and after, and the counters must have moved by what the application implies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordedClusterFolder, startControlPlane, watchAll } from '../support/controlPlane.js';
import { ROOT, runCli } from '../support/processes.js';
import { sharedDir, tempDir } from '../support/tempDir.js';

const EXAMPLE = join(ROOT, 'examples/wordcount');
const FIXTURES = join(ROOT, 'test/e2e/fixtures/apps');
const MIB = 1024 * 1024;

/** The text of GET /metrics at `address`, after checking it is Prometheus' text format. */
async function scrape(address: string): Promise<string> {
  const response = await fetch(`http://${address}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The sum of the samples of `name` whose labels include `labels` (0 when there is none). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const seen = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]));
    if (Object.entries(labels).every(([key, value]) => seen[key] === value)) sum += Number(match[3]);
  }
  return sum;
}

/** How many series of `name` have labels that include `labels`. */
function seriesCount(text: string, name: string, labels: Record<string, string> = {}): number {
  return text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith(`${name}{`) &&
        Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)),
    ).length;
}

/** The sum of `name`'s samples per value of the label `label`. */
function sumsBy(text: string, name: string, label: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const match of text.matchAll(new RegExp(`^${name}\\{(.*)\\} (\\S+)$`, 'gm'))) {
    const value = new RegExp(`${label}="([^"]*)"`).exec(match[1]!)?.[1] ?? '';
    sums.set(value, (sums.get(value) ?? 0) + Number(match[2]));
  }
  return sums;
}

describe('metrics endpoints', () => {
  it("move by what a driver-mode application implies, on the control plane and on its cluster's job manager", async () => {
    const addressFile = join(tempDir('flotilla-metrics-'), 'controlplane.metrics');
    const controlPlane = await startControlPlane([
      '--metrics-listen',
      '127.0.0.1:0',
      '--metrics-address-file',
      addressFile,
      '--cluster-metrics',
    ]);
    const cpMetrics = readFileSync(addressFile, 'utf8').trim();
    const started = await runCli(['cluster', 'start', '--task-executors', '2', '--slots', '3'], controlPlane.env);
    expect(started.code).toBe(0);
    const clusterId = started.stdout.trim();
    const jmMetrics = readFileSync(
      join(recordedClusterFolder(controlPlane.stateDir, clusterId), 'work', 'jobmanager.metrics-address'),
      'utf8',
    ).trim();

    const cpBefore = await scrape(cpMetrics);
    const jmBefore = await scrape(jmMetrics);
    expect(sample(cpBefore, 'flotilla_cluster_deploy_duration_seconds_count', { outcome: 'running' })).toBe(1);
    expect(sample(jmBefore, 'flotilla_task_executors_registered')).toBe(2);
    expect(sample(jmBefore, 'flotilla_task_slots', { state: 'total' })).toBe(6);

    const run = await runCli(
      ['run', '-D', '--follow', '--cluster', clusterId, EXAMPLE, '2', join(sharedDir(), 'ranking')],
      controlPlane.env,
    );
    expect(run.stderr).toContain('application FINISHED');
    expect(run.code).toBe(0);
    const events = await watchAll(controlPlane.client, run.stdout.trim(), 0, false);

    // The CLI's follow has closed its watch, and the cluster's slots are all free again.
    await expect.poll(async () => sample(await scrape(cpMetrics), 'flotilla_application_watchers')).toBe(0);
    await expect.poll(async () => sample(await scrape(jmMetrics), 'flotilla_task_slots', { state: 'free' })).toBe(6);
    const cpAfter = await scrape(cpMetrics);
    const jmAfter = await scrape(jmMetrics);
    const cpDelta = (name: string, labels?: Record<string, string>) =>
      sample(cpAfter, name, labels) - sample(cpBefore, name, labels);
    const jmDelta = (name: string, labels?: Record<string, string>) =>
      sample(jmAfter, name, labels) - sample(jmBefore, name, labels);

    expect(cpDelta('flotilla_application_submissions_total', { mode: 'DRIVER' })).toBe(1);
    expect(cpDelta('flotilla_application_submissions_total')).toBe(1);
    expect(cpDelta('flotilla_application_submission_duration_seconds_count', { mode: 'DRIVER' })).toBe(1);
    expect(cpDelta('flotilla_applications', { status: 'FINISHED', mode: 'DRIVER' })).toBe(1);
    expect(sample(cpAfter, 'flotilla_applications')).toBe(1);
    expect(cpDelta('flotilla_application_events_appended_total')).toBeGreaterThanOrEqual(events.length);
    expect(events.length).toBeGreaterThan(0);
    // The follow saw events as they were recorded.
    expect(cpDelta('flotilla_application_event_delivery_lag_seconds_count')).toBeGreaterThan(0);
    expect(cpDelta('flotilla_cluster_deploy_duration_seconds_count')).toBe(0);

    // The driver job and the example's two jobs, each FINISHED once, none restarted.
    expect(jmDelta('flotilla_job_duration_seconds_count', { status: 'FINISHED' })).toBe(3);
    expect(jmDelta('flotilla_job_duration_seconds_count', { status: 'FINISHED', priority: 'DRIVER' })).toBe(1);
    expect(jmDelta('flotilla_job_duration_seconds_count')).toBe(3);
    expect(jmDelta('flotilla_job_restarts_total')).toBe(0);
    expect(sample(jmAfter, 'flotilla_jobs_running')).toBe(0);
    expect(sample(jmAfter, 'flotilla_task_executors_registered')).toBe(2);
    expect(sample(jmAfter, 'flotilla_task_slots', { state: 'total' })).toBe(6);
  }, 120_000);

  it("publish the records and bytes a network shuffle moved, and the driver's memory against the limits the run set", async () => {
    const addressFile = join(tempDir('flotilla-metrics-'), 'controlplane.metrics');
    const controlPlane = await startControlPlane([
      '--metrics-listen',
      '127.0.0.1:0',
      '--metrics-address-file',
      addressFile,
      '--cluster-metrics',
    ]);
    // One slot per task executor: the driver takes one, the job's two slots the other two.
    const started = await runCli(['cluster', 'start', '--task-executors', '3', '--slots', '1'], controlPlane.env);
    expect(started.code, started.stderr).toBe(0);
    const clusterId = started.stdout.trim();
    const jmMetrics = readFileSync(
      join(recordedClusterFolder(controlPlane.stateDir, clusterId), 'work', 'jobmanager.metrics-address'),
      'utf8',
    ).trim();
    expect(seriesCount(await scrape(jmMetrics), 'flotilla_exchanged_records_total')).toBe(0);

    const records = 3000;
    const run = await runCli(
      ['run', '-D', '--follow', '--cluster', clusterId, '-c', 'shuffle.js#main', '-Dhm', '300', '-Ddm', '64'].concat([
        FIXTURES,
        String(records),
      ]),
      controlPlane.env,
    );
    expect(run.stderr).toContain('application FINISHED');
    expect(run.code).toBe(0);
    const applicationId = run.stdout.trim();
    const application = (await controlPlane.client.getApplication({ applicationId })).application!;

    // The job moved each record through the keyed exchange and each running sum to the collect sink:
    // 2 x records, as the task executors' heartbeats report them (the counts only grow, so once the
    // total is reached it stays).
    await expect
      .poll(async () => sample(await scrape(jmMetrics), 'flotilla_exchanged_records_total'), { timeout: 15_000 })
      .toBe(2 * records);
    const text = await scrape(jmMetrics);
    const networkRecords = sample(text, 'flotilla_exchanged_records_total', { channel: 'network' });
    const localRecords = sample(text, 'flotilla_exchanged_records_total', { channel: 'local' });
    expect(networkRecords + localRecords).toBe(2 * records);
    // The sink's subtask shares a task executor with only one of the two sum subtasks: the sums
    // of the other arrive over the network, and so do the source's records that cross over.
    expect(networkRecords).toBeGreaterThan(0);
    // Bytes of v8-serialized batches of [key, sum] pairs and running sums: a few bytes a record.
    const networkBytes = sample(text, 'flotilla_exchanged_bytes_total', { channel: 'network' });
    const localBytes = sample(text, 'flotilla_exchanged_bytes_total', { channel: 'local' });
    expect(networkBytes).toBeGreaterThanOrEqual(networkRecords * 2);
    expect(networkBytes).toBeLessThan(networkRecords * 64);
    expect(localBytes).toBeGreaterThanOrEqual(localRecords * 2);
    expect(localBytes).toBeLessThanOrEqual(localRecords * 64);
    // One series pair per task executor; the driver's, which runs no task of the job, received nothing.
    const perTaskExecutor = sumsBy(text, 'flotilla_exchanged_records_total', 'task_executor');
    expect(perTaskExecutor.size).toBe(3);
    expect([...perTaskExecutor.values()].filter((count) => count === 0)).toHaveLength(1);

    // The driver's last memory sample, kept after it ended, against the limits the run set
    // (-Dhm 300, -Ddm 64, no native limit).
    const driver = { job_id: application.driverJobId, application_id: applicationId };
    await expect
      .poll(async () =>
        sample(await scrape(jmMetrics), 'flotilla_driver_memory_limit_bytes', { ...driver, area: 'heap' }),
      )
      .toBe(300 * MIB);
    const memory = await scrape(jmMetrics);
    expect(sample(memory, 'flotilla_driver_memory_limit_bytes', { ...driver, area: 'direct' })).toBe(64 * MIB);
    expect(seriesCount(memory, 'flotilla_driver_memory_limit_bytes', { area: 'native' })).toBe(0);
    const heapUsed = sample(memory, 'flotilla_driver_memory_bytes', { ...driver, area: 'heap' });
    expect(heapUsed).toBeGreaterThan(MIB);
    expect(heapUsed).toBeLessThan(300 * MIB);
    expect(sample(memory, 'flotilla_driver_memory_bytes', { ...driver, area: 'native' })).toBeGreaterThan(0);
    expect(seriesCount(memory, 'flotilla_driver_memory_bytes', { ...driver, area: 'direct' })).toBe(1);
    await controlPlane.client.shutDownCluster({ clusterId });
  }, 120_000);

  it('refuses a non-loopback address without --metrics-insecure-bind, naming the flag', async () => {
    const refused = await runCli([
      'controlplane',
      '--state-dir',
      tempDir('flotilla-metrics-refused-'),
      '--metrics-listen',
      '0.0.0.0:0',
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('refusing to serve metrics on 0.0.0.0');
    expect(refused.stderr).toContain('--metrics-insecure-bind');
  }, 30_000);
});
