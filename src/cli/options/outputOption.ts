/** `-o, --output FORMAT` of the verbs that print what they read, and the format it asked for. */
import type { OutputFormat } from '../output/outputFormat.js';
import { UsageError, type OptionSpec, type ParsedCommandLine } from './args.js';

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
