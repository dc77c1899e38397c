import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAddressFile, waitForAddressFile, writeAddressFile } from './addressFile.js';
import { UnavailableError } from './errors.js';

const folder = mkdtempSync(join(tmpdir(), 'flotilla-address-file-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('address file', () => {
  it('is written whole, with no temporary file left behind, and read back', () => {
    const file = join(folder, 'written.address');
    expect(readAddressFile(file)).toBeUndefined();
    writeAddressFile(file, '127.0.0.1:4242');
    expect(readAddressFile(file)).toBe('127.0.0.1:4242');
    expect(readdirSync(folder).filter((name) => name.startsWith('written'))).toEqual(['written.address']);
  });

  it('a waiter resolves once the file is written after it started waiting', async () => {
    const file = join(folder, 'later.address');
    const waiting = waitForAddressFile(file, 30_000);
    setTimeout(() => writeAddressFile(file, '127.0.0.1:5151'), 50);
    await expect(waiting).resolves.toBe('127.0.0.1:5151');
  });

  it('an empty file does not count as an address', async () => {
    const file = join(folder, 'empty.address');
    writeFileSync(file, '');
    await expect(waitForAddressFile(file, 200)).rejects.toThrow(UnavailableError);
  });

  it('gives up after its timeout naming the file, and stops when aborted', async () => {
    const file = join(folder, 'never.address');
    await expect(waitForAddressFile(file, 100)).rejects.toThrow(
      `no job manager address in ${file} after 100 ms: the job manager did not start listening`,
    );
    const abort = new AbortController();
    const waiting = waitForAddressFile(file, 30_000, abort.signal);
    abort.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
  });
});
