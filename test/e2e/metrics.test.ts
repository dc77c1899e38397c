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
