/** Field checks shared by the control plane's requests; each failure is INVALID_ARGUMENT naming the field. */
import { InvalidArgumentError } from '../../common/errors.js';

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** The most cpus a resource may name. */
export const MAX_CPUS = 1024;
/** The most memory, in MiB, a resource may name (1 TiB). */
export const MAX_MEMORY_MB = 1024 * 1024;

/** A text of at most `max` characters without control characters. */
export function checkText(value: string, field: string, max: number): string {
  if (value.length > max)
    throw new InvalidArgumentError(`${field} must be at most ${max} characters, got ${value.length}`);
  if (CONTROL_CHARACTERS.test(value))
    throw new InvalidArgumentError(`${field} must not contain control characters (such as newlines)`);
  return value;
}

/** A non-negative amount of cpus or MiB within its limit; zero means "the default". */
function checkResourceAmount(value: number, field: string, kind: 'cpus' | 'memory'): number {
  const max = kind === 'cpus' ? MAX_CPUS : MAX_MEMORY_MB;
  if (!Number.isFinite(value) || value < 0 || value > max) {
    throw new InvalidArgumentError(
      `${field} must be a number from 0 (the default) to ${max}${kind === 'memory' ? ' (MiB)' : ''}, got ${value}`,
    );
  }
  if (kind === 'memory' && !Number.isInteger(value))
    throw new InvalidArgumentError(`${field} must be a whole number of MiB, got ${value}`);
  return value;
}

/** Cpus and memory (MiB) of a driver or a task executor; zero means "the default". */
export interface ResourceAmounts {
  cpus: number;
  heapMemoryMb: number;
  directMemoryMb: number;
  nativeMemoryMb: number;
}

/** Each amount checked by {@link checkResourceAmount}, named `field`.cpus, `field`.heap_memory_mb and so on. */
export function checkResources(resources: ResourceAmounts, field: string): ResourceAmounts {
  return {
    cpus: checkResourceAmount(resources.cpus, `${field}.cpus`, 'cpus'),
    heapMemoryMb: checkResourceAmount(resources.heapMemoryMb, `${field}.heap_memory_mb`, 'memory'),
    directMemoryMb: checkResourceAmount(resources.directMemoryMb, `${field}.direct_memory_mb`, 'memory'),
    nativeMemoryMb: checkResourceAmount(resources.nativeMemoryMb, `${field}.native_memory_mb`, 'memory'),
  };
}

/** Dynamic properties: at most 1000, keys of 1 to 256 printable characters, values of at most 4096. */
export function checkProperties(properties: Record<string, string>, field: string): Record<string, string> {
  const entries = Object.entries(properties);
  if (entries.length > 1000)
    throw new InvalidArgumentError(`${field} may hold at most 1000 entries, got ${entries.length}`);
  const checked: Record<string, string> = {};
  for (const [key, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (key === '') throw new InvalidArgumentError(`${field} has an empty key`);
    checkText(key, `${field} key ${JSON.stringify(key.slice(0, 40))}`, 256);
    if (value.length > 4096)
      throw new InvalidArgumentError(
        `${field}[${JSON.stringify(key)}] must be at most 4096 characters, got ${value.length}`,
      );
    checked[key] = value;
  }
  return checked;
}
