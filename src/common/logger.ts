/**
 * Process logging. Logs go to stderr so that stdout stays free for what scripts read (the
 * `listening on HOST:PORT` line, ids printed by the CLI). JSON by default; readable when stderr
 * is a terminal, unless FLOTILLA_LOG_FORMAT says otherwise.
 */
import { createRequire } from 'node:module';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import type PinoPretty from 'pino-pretty';

export type { Logger };

/** The levels `--log-level` accepts. */
export const LOG_LEVELS: readonly LevelWithSilent[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** The process's role, bound to every line as `name`. */
  name: string;
  /** The minimum level; defaults to FLOTILLA_LOG_LEVEL or `info`. */
  level?: string;
  /** `json` or `pretty`; defaults to FLOTILLA_LOG_FORMAT, else pretty on a TTY and JSON otherwise. */
  format?: 'json' | 'pretty';
}

/** Creates the root logger of a process. */
export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? process.env.FLOTILLA_LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(level as LevelWithSilent)) {
    throw new Error(`unknown log level "${level}"; use one of ${LOG_LEVELS.join(', ')}`);
  }
  const envFormat = process.env.FLOTILLA_LOG_FORMAT;
  const format =
    options.format ??
    (envFormat === 'json' || envFormat === 'pretty' ? envFormat : process.stderr.isTTY ? 'pretty' : 'json');
  const base = {
    name: options.name,
    level,
    base: { name: options.name, pid: process.pid },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (format === 'pretty') {
    // Loaded only here: cluster processes log JSON, and loading pino-pretty costs every process start ~15 ms of CPU.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
    return pino(base, pretty({ destination: 2, sync: true, ignore: 'pid,hostname' }));
  }
  return pino(base, pino.destination({ dest: 2, sync: true }));
}
