/** Ids of applications, jobs, clusters and attempts: a readable prefix and 16 random hex digits. */
import { randomBytes } from 'node:crypto';

/** Makes a new id such as `app-3f9c0d2e8a1b4c57`. */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(8).toString('hex')}`;
}
