/**
 * The user API's logger (Flink's `LoggerFactory.getLogger` as a bundle sees it): leveled (debug,
 * info, warn, error) and structured (a message plus key/value fields). A bundle's `main()` gets one
 * from `env.getLogger(name)`; each line it logs goes to the environment's {@link LogSink}: in a
 * driver job or application mode, the driver log's LOGGER stream (`flotilla logs APP`), and in
 * session mode, the client's stderr. Lines are text, one per call, in a logfmt-like form that both
 * people and `grep` read:
 *
 * ```
 * 2026-12-07T10:30:00.000Z INFO digits: both jobs finished jobs=2 output="/tmp/out dir"
 * ```
 */
import { InvalidArgumentError } from '../common/errors.js';

/** The levels of a logger, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The key/value fields of one line; values are written as text or JSON. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Where a logger's finished lines (each ending in a newline) go. */
export type LogSink = (line: string) => void;

/** The property (`-Dlogger.level=debug`) that sets the least severe level logged; `info` when unset. */
export const LOGGER_LEVEL_PROPERTY = 'logger.level';

/** The least severe level logged when nobody set one. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** Reads a level name (any case); throws InvalidArgumentError naming `where` for anything else. */
export function parseLogLevel(value: string, where: string): LogLevel {
  const level = value.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new InvalidArgumentError(`${where} expects one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
}

/** A named, leveled, structured logger of user code. */
export class Logger {
  private readonly threshold: number;

  constructor(
    /** The logger's name, written on each line (Flink names loggers after their class). */
    readonly name: string,
    private readonly sink: LogSink,
    /** The least severe level written; lines below it are dropped. */
    readonly level: LogLevel = DEFAULT_LOG_LEVEL,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.threshold = LOG_LEVELS.indexOf(level);
  }

  /** Whether lines of `level` are written (to skip building costly fields). */
  isEnabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= this.threshold;
  }

  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  /** Writes one line of `level`, unless the level is below this logger's. */
  log(level: LogLevel, message: string, fields?: LogFields): void {
    if (!LOG_LEVELS.includes(level)) parseLogLevel(String(level), 'Logger.log()');
    if (!this.isEnabled(level)) return;
    this.sink(formatLogLine(this.now(), level, this.name, String(message), fields));
  }
}

/** One line: time, level, name, message and the fields as `key=value`, ending in a newline. */
export function formatLogLine(time: Date, level: LogLevel, name: string, message: string, fields?: LogFields): string {
  const parts = [time.toISOString(), level.toUpperCase(), `${name}:`, oneLine(message)];
  for (const [key, value] of Object.entries(fields ?? {})) parts.push(`${key}=${formatValue(value)}`);
  return `${parts.join(' ')}\n`;
}

/** A value as a field: plain words bare, other strings quoted, errors by name and message, the rest as JSON. */
function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(`${value.name}: ${value.message}`);
  if (typeof value === 'string') return /^[^\s"=\\]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return JSON.stringify(String(value));
  }
}

/** A message kept on its one line: line breaks become `\n`, as a field's quoted value would have them. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, '\\n');
}
