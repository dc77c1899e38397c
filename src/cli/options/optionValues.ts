/** Checks on parsed option values that several commands share. */
import { readFileSync } from 'node:fs';
import { UsageError, type ParsedCommandLine } from './args.js';

/** The value of a number option that must be a whole number of at least 1. */
export function positiveInteger(args: ParsedCommandLine, name: string): number {
  const value = args.options[name] as number;
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`--${name} must be a whole number of at least 1, got ${value}`);
  return value;
}

/** The value of a number option that must be a whole number of at least 0; `zeroMeans` says what 0 stands for in the message. */
export function nonNegativeInteger(args: ParsedCommandLine, name: string, zeroMeans?: string): number {
  const value = args.options[name] as number;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new UsageError(
      `--${name} must be a whole number of at least 0${zeroMeans ? ` (0: ${zeroMeans})` : ''}, got ${value}`,
    );
  }
  return value;
}

/** The text of the file `flag` names; a usage error naming the flag when it cannot be read. */
export function readOptionFile(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `${flag} ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
}
