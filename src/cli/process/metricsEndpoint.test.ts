import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.js';
import { startMetricsEndpoint, type MetricsEndpoint } from './metricsEndpoint.js';
import { prometheusMetrics } from './prometheusMetrics.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const endpoints: MetricsEndpoint[] = [];
afterEach(async () => {
  for (const endpoint of endpoints.splice(0)) await endpoint.close();
});

async function start() {
  const metrics = prometheusMetrics();
  const endpoint = await startMetricsEndpoint({
    listen: { host: '127.0.0.1', port: 0 },
    metrics,
    logger,
    insecureBind: false,
  });
  endpoints.push(endpoint);
  return { metrics, url: `http://${endpoint.address}` };
}

describe('metrics endpoint', () => {
  it('serves what is published in Prometheus text format, scrape-time gauges without series that are gone', async () => {
    const { metrics, url } = await start();
    metrics.counter({ name: 'flotilla_things_total', help: 'Things.', labelNames: ['kind'] }).inc({ kind: 'a' }, 2);
    let series = [
      { labels: { status: 'RUNNING' }, value: 1 },
      { labels: { status: 'FINISHED' }, value: 4 },
    ];
    metrics.collectedGauge({ name: 'flotilla_stuff', help: 'Stuff.', labelNames: ['status'], collect: () => series });
    const first = await (await fetch(`${url}/metrics`)).text();
    expect(first).toContain('# HELP flotilla_things_total Things.');
    expect(first).toContain('flotilla_things_total{kind="a"} 2');
    expect(first).toContain('flotilla_stuff{status="RUNNING"} 1');
    expect(first).toContain('flotilla_stuff{status="FINISHED"} 4');
    series = [{ labels: { status: 'FINISHED' }, value: 5 }];
    const second = await (await fetch(`${url}/metrics`)).text();
    expect(second).not.toContain('status="RUNNING"');
    expect(second).toContain('flotilla_stuff{status="FINISHED"} 5');
  });

  it('serves a scrape-time counter as the latest totals its source reported, typed counter', async () => {
    const { metrics, url } = await start();
    let series = [{ labels: { channel: 'network' }, value: 10 }];
    metrics.collectedCounter({
      name: 'flotilla_moved_total',
      help: 'Moved.',
      labelNames: ['channel'],
      collect: () => series,
    });
    const first = await (await fetch(`${url}/metrics`)).text();
    expect(first).toContain('# TYPE flotilla_moved_total counter');
    expect(first).toContain('flotilla_moved_total{channel="network"} 10');
    series = [{ labels: { channel: 'network' }, value: 25 }];
    // Not 35: each scrape shows what the source reports, not a sum of the reports.
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('flotilla_moved_total{channel="network"} 25');
  });

  it('answers 404 beside /metrics and 405 to another method', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/`)).status).toBe(404);
    const posted = await fetch(`${url}/metrics`, { method: 'POST' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
  });

  it('refuses a non-loopback address unless insecure binding was asked for', async () => {
    await expect(
      startMetricsEndpoint({
        listen: { host: '0.0.0.0', port: 0 },
        metrics: prometheusMetrics(),
        logger,
        insecureBind: false,
      }),
    ).rejects.toThrow(/refusing to serve metrics on 0\.0\.0\.0.*--metrics-insecure-bind/);
  });
});
