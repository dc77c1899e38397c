/** Checks on parsed option values that several commands share. */
import { UsageError, type ParsedCommandLine } from './args.js';

/** The value of a number option that must be a whole number of at least 1. */
export function positiveInteger(args: ParsedCommandLine, name: string): number {
  const value = args.options[name] as number;
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a whole number of at least 1, got ${value}`);
  return value;
}
