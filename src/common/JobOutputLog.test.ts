import { isAbortError } from 'abort-controller-x';
import { describe, expect, it } from 'vitest';
import { OutOfRangeError } from './errors.js';
import { JobOutputLog } from './JobOutputLog.js';

/** Every item of `items`, once it ended. */
async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

const text = (chunks: { data: Buffer }[]) => chunks.map((chunk) => chunk.data.toString('utf8')).join('');

describe('JobOutputLog', () => {
  it('reads from any offset, inside a piece too, and resumes exactly at nextOffset', async () => {
    const log = new JobOutputLog('job-1', 1024);
    log.append('stdout', Buffer.from('hello\n'));
    log.append('stderr', Buffer.from('warning: ü\n'));
    log.append('stdout', Buffer.from('bye\n'));
    const whole = 'hello\nwarning: ü\nbye\n';

    const all = await drain(log.read(0, false));
    expect(text(all)).toBe(whole);
    expect(all.map((chunk) => [chunk.stream, chunk.offset, chunk.nextOffset])).toEqual([
      ['stdout', 0, 6],
      ['stderr', 6, 18],
      ['stdout', 18, 22],
    ]);
    const fromInside = await drain(log.read(9, false));
    expect(fromInside[0]).toMatchObject({ offset: 9, stream: 'stderr', nextOffset: 18 });
    expect(Buffer.concat(fromInside.map((chunk) => chunk.data))).toEqual(Buffer.from(whole).subarray(9));
    expect(await drain(log.read(all[1].nextOffset, false))).toEqual([all[2]]);
    expect(await drain(log.read(22, false))).toEqual([]);
    await expect(drain(log.read(23, false))).rejects.toThrow(
      /offset 23 is past the end of the output of job job-1 \(22 bytes so far\)/,
    );
  });

  it('drops the oldest output past its limit and refuses an offset that dropped out, naming the oldest kept', async () => {
    const log = new JobOutputLog('job-1', 10);
    for (const line of ['aaaa\n', 'bbbb\n', 'cccc\n']) log.append('stdout', Buffer.from(line));
    expect(log.oldestOffset).toBe(5);
    expect(text(await drain(log.read(5, false)))).toBe('bbbb\ncccc\n');
    await expect(drain(log.read(0, false))).rejects.toThrow(OutOfRangeError);
    await expect(drain(log.read(2, false))).rejects.toThrow(
      /offset 2 of the output of job job-1 is no longer kept .* the oldest kept offset is 5/,
    );
    // A piece larger than the limit is kept whole rather than lost.
    log.append('stdout', Buffer.from('a much longer line\n'));
    expect(text(await drain(log.read(log.oldestOffset, false)))).toBe('a much longer line\n');
  });

  it('follows new output until the job has ended and everything was read', async () => {
    const log = new JobOutputLog('job-1', 1024);
    log.append('stdout', Buffer.from('one\n'));
    const followed = drain(log.read(0, true));
    await expect.poll(() => log.waitingReaders).toBe(1);
    log.append('stdout', Buffer.from('two\n'));
    log.append('stdout', Buffer.from('three\n'));
    log.close();
    expect(text(await followed)).toBe('one\ntwo\nthree\n');
    expect(text(await drain(log.read(4, true)))).toBe('two\nthree\n');
  });

  it('releases a follower whose caller went away', async () => {
    const log = new JobOutputLog('job-1', 1024);
    const controller = new AbortController();
    const followed = drain(log.read(0, true, controller.signal)).catch((error: unknown) => error);
    await expect.poll(() => log.waitingReaders).toBe(1);
    controller.abort();
    expect(isAbortError(await followed)).toBe(true);
    expect(log.waitingReaders).toBe(0);
  });
});
