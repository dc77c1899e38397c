/**
 * The second example (examples/digits) end to end, as the README's demo runs it: `flotilla run -D
 * --follow` against a real control plane, which deploys a cluster and runs main() there as a
 * driver job; main() starts two jobs at once with executeAsync() and waits for both. The test
 * checks what both jobs wrote, and that the lines main() logged with `env.getLogger()` reach the
 * driver log's LOGGER stream and `flotilla logs APP` with their level and fields, in driver mode
 * and in application mode (where `-Dlogger.level=debug` lets the debug line through).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReadDriverLogResponse } from '../../generated/flotilla/v1/cluster_client_service.js';
import { LogStream } from '../../generated/flotilla/v1/common.js';
import { ApplicationStatus, JobStatus } from '../../generated/flotilla/v1/status.js';
import { finalStatus, jobStatuses, partLines } from '../support/applicationOutcome.js';
import { startControlPlane, watchAll } from '../support/controlPlane.js';
import { ROOT, runCli } from '../support/processes.js';
import { sharedDir } from '../support/tempDir.js';

const EXAMPLE = join(ROOT, 'examples/digits');
const N = 1000;
/** What the first job writes: the sum of the numbers 1..N ending in each digit. */
const SUMS = Array.from({ length: 10 }, (_, digit) => {
  let total = 0;
  for (let value = 1; value <= N; value++) if (value % 10 === digit) total += value;
  return `${digit} ${total}`;
});
/** What the second job writes: how many of 1..N have 1, 2, 3 and 4 digits. */
const COUNTS = ['1 9', '2 90', '3 900', '4 1'];

describe('examples/digits', () => {
  it('runs both jobs at once to FINISHED, each writing its output; its logger lines reach flotilla logs on the LOGGER stream', async () => {
    const controlPlane = await startControlPlane();
    const output = sharedDir();
    const run = await runCli(['run', '-D', '--follow', EXAMPLE, String(N), output], controlPlane.env);
    expect(run.stderr).toContain('application FINISHED');
    expect(run.code).toBe(0);
    const applicationId = run.stdout.trim();

    expect(partLines(join(output, 'sum-by-last-digit')).sort()).toEqual([...SUMS].sort());
    expect(partLines(join(output, 'count-by-length')).sort()).toEqual([...COUNTS].sort());
    const events = await watchAll(controlPlane.client, applicationId, 0, false);
    expect(finalStatus(events)).toBe(ApplicationStatus.FINISHED);
    const jobs = jobStatuses(events);
    expect(jobs.get('digits-example: sum by last digit')).toBe(JobStatus.FINISHED);
    expect(jobs.get('digits-example: count by length')).toBe(JobStatus.FINISHED);
    // Both were submitted before either was waited for: the second started before the first ended.
    const changes = events.flatMap((event) =>
      event.kind?.$case === 'jobStatusChanged' ? [event.kind.jobStatusChanged] : [],
    );
    const firstEnd = changes.findIndex(
      (change) => change.jobName === 'digits-example: sum by last digit' && change.status === JobStatus.FINISHED,
    );
    const secondStart = changes.findIndex((change) => change.jobName === 'digits-example: count by length');
    expect(secondStart).toBeGreaterThanOrEqual(0);
    expect(secondStart).toBeLessThan(firstEnd);

    // The driver log: main()'s console on STDOUT, its logger's lines on LOGGER, with level and fields.
    const pieces: ReadDriverLogResponse[] = [];
    for await (const piece of controlPlane.client.readDriverLog({ applicationId, offset: 0n, follow: false }))
      pieces.push(piece);
    const textOf = (stream: LogStream) =>
      Buffer.concat(pieces.filter((piece) => piece.stream === stream).map((piece) => piece.data)).toString();
    const loggerLines = textOf(LogStream.LOGGER).split('\n').filter(Boolean);
    expect(loggerLines).toHaveLength(2);
    expect(loggerLines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT\S+Z INFO digits: both jobs submitted sumsJobId=\S+ countsJobId=\S+ n=1000$/,
    );
    expect(loggerLines[1]).toMatch(
      new RegExp(`^\\S+ INFO digits: both jobs finished sumsMillis=\\d+ countsMillis=\\d+ output=${output}$`),
    );
    // The debug line is below the default level (info), so it is not written.
    expect(textOf(LogStream.LOGGER)).not.toContain('DEBUG');
    expect(textOf(LogStream.STDOUT)).toContain(`wrote ${join(output, 'sum-by-last-digit')}`);
    expect(textOf(LogStream.STDOUT)).not.toContain('both jobs');

    // flotilla logs prints the logger's lines to stderr, the console's to stdout.
    const logs = await runCli(['logs', applicationId], controlPlane.env);
    expect(logs.code).toBe(0);
    expect(logs.stderr).toBe(`${loggerLines.join('\n')}\n`);
    expect(logs.stdout).toBe(textOf(LogStream.STDOUT));
  }, 120_000);

  it('in application mode, with -Dlogger.level=debug, the debug line reaches flotilla logs too', async () => {
    const controlPlane = await startControlPlane();
    const output = sharedDir();
    const run = await runCli(
      ['run', '--target', 'application', '--follow', '-Dlogger.level=debug', EXAMPLE, '20', output],
      controlPlane.env,
    );
    expect(run.stderr).toContain('application FINISHED');
    expect(run.code).toBe(0);
    expect(partLines(join(output, 'count-by-length')).sort()).toEqual(['1 9', '2 11']);
    const logs = await runCli(['logs', run.stdout.trim()], controlPlane.env);
    expect(logs.code).toBe(0);
    const lines = logs.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\S+Z DEBUG digits: generating numbers from=1 to=20$/);
    expect(lines[1]).toMatch(/^\S+Z INFO digits: both jobs submitted sumsJobId=\S+ countsJobId=\S+ n=20$/);
    expect(lines[2]).toMatch(/^\S+Z INFO digits: both jobs finished sumsMillis=\d+ countsMillis=\d+ output=\S+$/);
  }, 120_000);
});
