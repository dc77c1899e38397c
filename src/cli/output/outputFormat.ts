/**
 * The formats of `-o` (options/outputOption.ts), and printing JSON. JSON is the proto3
 * JSON mapping of the response messages (ts-proto's generated `toJSON`): lowerCamelCase field
 * names, enums by their full names, 64-bit integers as strings, fields at their default left out,
 * so `flotilla ... -o json` prints what grpcurl and buf curl print for the same RPC.
 */

/** How a verb prints what it read: text lines (events), a table, a wider table, or JSON. */
export type OutputFormat = 'text' | 'table' | 'wide' | 'json';

/** Writes `json` (a `toJSON` result) on stdout, indented, as grpcurl prints a response. */
export function printJson(json: unknown): void {
  process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
}

/** Writes `json` on stdout as one line, for streams (JSON lines). */
export function printJsonLine(json: unknown): void {
  process.stdout.write(`${JSON.stringify(json)}\n`);
}
