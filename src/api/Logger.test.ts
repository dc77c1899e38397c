import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../common/errors.js';
import { ExecutionEnvironment } from './ExecutionEnvironment.js';
import { formatLogLine, Logger, parseLogLevel } from './Logger.js';
import { FakeJobSubmitter } from './testing/FakeJobSubmitter.js';
import { testCapturer } from './testing/testCapturer.js';

const TIME = new Date('2026-12-07T10:30:00.000Z');

function collecting(level?: Parameters<typeof parseLogLevel>[0]) {
  const lines: string[] = [];
  const logger = new Logger(
    'wc',
    (line) => lines.push(line),
    level ? parseLogLevel(level, 'test') : undefined,
    () => TIME,
  );
  return { logger, lines };
}

describe('Logger', () => {
  it('writes one line per call with time, level, name, message and fields', () => {
    const { logger, lines } = collecting();
    logger.info('counted', { words: 42, top: 'to', path: '/tmp/a b', ok: true, tags: ['x', 'y'], none: null });
    logger.warn('slow');
    logger.error('gave up', { cause: new RangeError('too far') });
    expect(lines).toEqual([
      '2026-12-07T10:30:00.000Z INFO wc: counted words=42 top=to path="/tmp/a b" ok=true tags=["x","y"] none=null\n',
      '2026-12-07T10:30:00.000Z WARN wc: slow\n',
      '2026-12-07T10:30:00.000Z ERROR wc: gave up cause="RangeError: too far"\n',
    ]);
  });

  it('drops lines below its level: info by default, debug when asked', () => {
    const quiet = collecting();
    quiet.logger.debug('hidden', { n: 1 });
    expect(quiet.lines).toEqual([]);
    expect(quiet.logger.isEnabled('debug')).toBe(false);
    const chatty = collecting('DEBUG');
    chatty.logger.debug('shown', { n: 1 });
    expect(chatty.lines).toEqual(['2026-12-07T10:30:00.000Z DEBUG wc: shown n=1\n']);
    const errorsOnly = collecting('error');
    errorsOnly.logger.warn('hidden');
    errorsOnly.logger.error('shown');
    expect(errorsOnly.lines).toHaveLength(1);
  });

  it('keeps a line on one line and quotes values that would break it apart', () => {
    expect(formatLogLine(TIME, 'info', 'wc', 'two\nlines', { text: 'a=b', quote: 'say "hi"', big: 2n })).toBe(
      '2026-12-07T10:30:00.000Z INFO wc: two\\nlines text="a=b" quote="say \\"hi\\"" big=2\n',
    );
  });

  it('refuses an unknown level, naming the levels', () => {
    expect(() => parseLogLevel('verbose', 'the property logger.level')).toThrow(
      new InvalidArgumentError('the property logger.level expects one of debug, info, warn, error, got "verbose"'),
    );
  });

  it("is what env.getLogger() gives, writing to the environment's sink at the logger.level property", () => {
    const lines: string[] = [];
    const env = new ExecutionEnvironment({
      submitter: new FakeJobSubmitter(),
      captureFunction: testCapturer,
      logSink: (line) => lines.push(line),
      properties: { 'logger.level': 'debug' },
    });
    const log = env.getLogger('digits');
    log.debug('generating', { to: 10 });
    expect(log.name).toBe('digits');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\S+Z DEBUG digits: generating to=10\n$/);
    expect(env.getLogger().name).toBe('main');
    expect(() => env.getLogger('')).toThrow(InvalidArgumentError);
    expect(
      () =>
        new ExecutionEnvironment({
          submitter: new FakeJobSubmitter(),
          captureFunction: testCapturer,
          properties: { 'logger.level': 'loud' },
        }),
    ).toThrow('the property logger.level expects one of debug, info, warn, error, got "loud"');
  });
});
