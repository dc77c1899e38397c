/**
 * A small declarative command-line parser. Flotilla's flags follow Flink's, which no general
 * parser handles well: multi-letter single-dash aliases (`-Dhm`), `-Dkey=value` properties, and
 * program arguments after the bundle that must reach main() untouched. Each command declares its
 * options once; parsing, validation and `--help` all come from that declaration.
 */

/**
 * The kinds of option values; `properties` collects repeated `<prefix>key=value` tokens (Flink's
 * `-Dkey=value`), `list` the values of a repeated option, in order.
 */
export type OptionType = 'string' | 'number' | 'boolean' | 'properties' | 'list';

/** One option of a command. */
export interface OptionSpec {
  /** The long name without dashes, such as "listen"; also the key in the parsed result. */
  name: string;
  /** Other exact spellings, such as "-l" or "-Dhm". */
  aliases?: readonly string[];
  /** The value's kind; booleans take no value. */
  type: OptionType;
  /** The placeholder shown in help, such as "HOST:PORT". */
  valueName?: string;
  /** One sentence for the help. */
  description: string;
  /** The value when the option and its environment variable are absent. */
  default?: string | number | boolean;
  /**
   * What help says the default is, when `default` is only a stand-in (0 for "the control plane
   * decides") and the real default is a rule; help shows this instead of `default`.
   */
  defaultHelp?: string;
  /** An environment variable that supplies the value when the option is absent. */
  env?: string;
  /** For `properties`: the prefix of its tokens, such as "-D" for `-Dkey=value`. */
  prefix?: string;
}

/** One positional argument of a command. */
export interface PositionalSpec {
  /** The placeholder, such as "PATH". */
  name: string;
  /** One sentence for the help. */
  description: string;
  /** Whether it must be given. */
  required?: boolean;
  /** Whether it takes every remaining token, options included (program arguments). */
  rest?: boolean;
}

/** A command: its name, what it does and what it takes. */
export interface CommandSpec {
  /** The verb, such as "upload". */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** A longer explanation shown in the command's help. */
  description?: string;
  /** Its options. */
  options: readonly OptionSpec[];
  /** Its positional arguments, in order. */
  positionals: readonly PositionalSpec[];
}

/** The parsed command line. */
export interface ParsedCommandLine {
  /** Option values by name, defaults and environment applied; `properties` options hold a record, `list` options an array (empty when absent). */
  options: Record<string, string | number | boolean | Record<string, string> | string[] | undefined>;
  /** Positional values, rest ones included. */
  positionals: string[];
  /** Whether help was asked for. */
  help: boolean;
}

/** A command line that does not fit its command; the message says what to change. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses `argv` (the tokens after the verb) against `spec`. An option absent from `argv` takes its
 * environment variable, then its `fallbacks` entry (what the chosen context of the client config
 * says, `from` naming it in errors), then its default: flags and env override the config, as with kubectl.
 */
export function parseCommandLine(
  spec: CommandSpec,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  fallbacks: Readonly<Record<string, { value: string; from: string }>> = {},
): ParsedCommandLine {
  const byToken = new Map<string, OptionSpec>();
  for (const option of spec.options) {
    byToken.set(`--${option.name}`, option);
    for (const alias of option.aliases ?? []) byToken.set(alias, option);
  }
  const values: ParsedCommandLine['options'] = {};
  const positionals: string[] = [];
  const restStartsAt = spec.positionals.findIndex((positional) => positional.rest);
  let help = false;

  for (let index = 0; index < argv.length; index++) {
    const token = argv[index];
    if (restStartsAt >= 0 && positionals.length >= Math.max(restStartsAt, 1)) {
      // Program arguments: everything after the bundle belongs to main(), options included.
      positionals.push(...argv.slice(index));
      break;
    }
    if (token === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (token === '--help' || token === '-h') {
      help = true;
      continue;
    }
    if (!token.startsWith('-') || token === '-') {
      positionals.push(token);
      continue;
    }
    const equals = token.indexOf('=');
    const head = equals > 0 ? token.slice(0, equals) : token;
    const name = equals > 0 && (token.startsWith('--') || byToken.has(head)) ? head : token;
    const option = byToken.get(name);
    const properties = option
      ? undefined
      : spec.options.find(
          (candidate) =>
            candidate.type === 'properties' && candidate.prefix && token.startsWith(candidate.prefix) && equals > 0,
        );
    if (properties) {
      const key = token.slice(properties.prefix!.length, equals);
      if (key === '') throw new UsageError(`${token}: a property needs a key, as in ${properties.prefix}key=value`);
      const record = (values[properties.name] ??= {}) as Record<string, string>;
      record[key] = token.slice(equals + 1);
      continue;
    }
    if (!option)
      throw new UsageError(`unknown option ${name} for "flotilla ${spec.name}"; see "flotilla ${spec.name} --help"`);
    if (option.type === 'boolean') {
      if (name !== token) throw new UsageError(`${name} takes no value`);
      values[option.name] = true;
      continue;
    }
    let raw: string | undefined;
    if (name !== token) raw = token.slice(equals + 1);
    else {
      raw = argv[index + 1];
      index++;
      if (raw === undefined) throw new UsageError(`${name} needs a value (${option.valueName ?? option.type})`);
    }
    if (option.type === 'list') ((values[option.name] ??= []) as string[]).push(raw);
    else values[option.name] = convert(option, raw, name);
  }

  if (!help) {
    for (const option of spec.options) {
      if (values[option.name] !== undefined) continue;
      if (option.type === 'list') {
        values[option.name] = [];
        continue;
      }
      const fromEnv = option.env ? env[option.env] : undefined;
      const fallback = fallbacks[option.name];
      if (fromEnv !== undefined && fromEnv !== '') values[option.name] = convert(option, fromEnv, option.env!);
      else if (fallback !== undefined) values[option.name] = convert(option, fallback.value, fallback.from);
      else values[option.name] = option.default;
    }
    const required = spec.positionals.filter((positional) => positional.required && !positional.rest);
    if (positionals.length < required.length) {
      throw new UsageError(`missing ${required[positionals.length].name}; usage: ${usageLine(spec)}`);
    }
    if (restStartsAt < 0 && positionals.length > spec.positionals.length) {
      throw new UsageError(`unexpected argument "${positionals[spec.positionals.length]}"; usage: ${usageLine(spec)}`);
    }
  }
  return { options: values, positionals, help };
}

function convert(option: OptionSpec, raw: string, source: string): string | number | boolean {
  if (option.type === 'string' || option.type === 'list') return raw;
  if (option.type === 'properties')
    throw new UsageError(`${source}: write properties as ${option.prefix ?? ''}key=value`);
  if (option.type === 'number') {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${source} expects a number, got "${raw}"`);
    return value;
  }
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new UsageError(`${source} expects true or false, got "${raw}"`);
}

/** The one-line usage of a command. */
export function usageLine(spec: CommandSpec): string {
  const positionals = spec.positionals.map((p) => (p.rest ? `[${p.name}...]` : p.required ? p.name : `[${p.name}]`));
  return ['flotilla', spec.name, spec.options.length > 0 ? '[options]' : '', ...positionals].filter(Boolean).join(' ');
}

/** The full help of a command. */
export function formatCommandHelp(spec: CommandSpec): string {
  const lines = [`Usage: ${usageLine(spec)}`, '', spec.summary];
  if (spec.description) lines.push('', spec.description);
  if (spec.positionals.length > 0) {
    lines.push('', 'Arguments:');
    for (const positional of spec.positionals) lines.push(formatRow(positional.name, positional.description));
  }
  lines.push('', 'Options:');
  for (const option of spec.options) {
    const spellings = [`--${option.name}`, ...(option.aliases ?? [])].join(', ');
    const left =
      option.type === 'properties'
        ? `${option.prefix ?? ''}KEY=VALUE`
        : option.type === 'boolean'
          ? spellings
          : `${spellings} ${option.valueName ?? option.type.toUpperCase()}`;
    const notes = [
      option.type === 'list' ? 'repeatable' : '',
      defaultNote(option),
      option.env ? `env: ${option.env}` : '',
    ].filter(Boolean);
    lines.push(formatRow(left, notes.length > 0 ? `${option.description} (${notes.join('; ')})` : option.description));
  }
  lines.push(formatRow('--help, -h', 'Show this help.'));
  return lines.join('\n');
}

/** "default: X" for help, once: the rule in words if there is one, else a value worth showing (not false or ""). */
function defaultNote(option: OptionSpec): string {
  if (option.defaultHelp !== undefined) return `default: ${option.defaultHelp}`;
  if (option.default === undefined || option.default === false || option.default === '') return '';
  return `default: ${option.default}`;
}

function formatRow(left: string, right: string): string {
  const padded = `  ${left}`.padEnd(34);
  return padded.length > 34 ? `  ${left}\n${''.padEnd(34)}${right}` : `${padded}${right}`;
}
