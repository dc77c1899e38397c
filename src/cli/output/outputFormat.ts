/**
 * `-o table|wide|json` of the read verbs, and printing in the chosen format. JSON is the proto3
 * JSON mapping of the response messages (ts-proto's generated `toJSON`): lowerCamelCase field
 * names, enums by their full names, 64-bit integers as strings, fields at their default left out,
 * so `flotilla ... -o json` prints what grpcurl and buf curl print for the same RPC.
 */
import { UsageError, type OptionSpec, type ParsedCommandLine } from '../options/args.js';

/** How a verb prints what it read: text lines (events), a table, a wider table, or JSON. */
export type OutputFormat = 'text' | 'table' | 'wide' | 'json';

const MEANING: Record<OutputFormat, string> = {
  text: 'text (lines for people)',
  table: 'table',
  wide: 'wide (a table with more columns)',
  json: 'json (the proto3 JSON of the responses, as buf curl prints them)',
};

/** The formats of a verb that prints a table. */
export const TABLE_FORMATS: readonly OutputFormat[] = ['table', 'wide', 'json'];

/** The formats of a verb that prints events or what it did. */
export const EVENT_FORMATS: readonly OutputFormat[] = ['text', 'json'];

/** `-o, --output FORMAT` of a verb that prints `formats`, the first being the default. */
export function outputOption(formats: readonly OutputFormat[]): OptionSpec {
  const names = formats.map((format) => MEANING[format]);
  return {
    name: 'output',
    aliases: ['-o'],
    type: 'string',
    valueName: 'FORMAT',
    description: `${names.slice(0, -1).join(', ')} or ${names.at(-1)!}.`,
    default: formats[0],
  };
}

/** The format `-o` asked for; a usage error for one the verb does not print. */
export function outputFormatOf(args: ParsedCommandLine, formats: readonly OutputFormat[]): OutputFormat {
  const value = String(args.options.output ?? formats[0]).toLowerCase();
  if (!(formats as readonly string[]).includes(value))
    throw new UsageError(`-o/--output must be ${formats.join(' or ')}, got "${String(args.options.output)}"`);
  return value as OutputFormat;
}

/** Writes `json` (a `toJSON` result) on stdout, indented, as grpcurl prints a response. */
export function printJson(json: unknown): void {
  process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
}

/** Writes `json` on stdout as one line, for streams (JSON lines). */
export function printJsonLine(json: unknown): void {
  process.stdout.write(`${JSON.stringify(json)}\n`);
}
