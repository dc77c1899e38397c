import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LOCAL_CLUSTER_RECORD_FILE,
  readLocalClusterRecord,
  writeLocalClusterRecord,
  type LocalClusterRecord,
} from './LocalClusterRecord.js';

const root = mkdtempSync(join(tmpdir(), 'flotilla-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('LocalClusterRecord', () => {
  it('writes the record into a new folder, replaces it whole, and reads it back', () => {
    const folder = join(root, 'cluster-1');
    const record: LocalClusterRecord = { clusterId: 'cluster-1', jobmanagerAddress: '', members: [] };
    writeLocalClusterRecord(folder, record);
    expect(readLocalClusterRecord(folder)).toEqual(record);
    const started: LocalClusterRecord = {
      ...record,
      jobmanagerAddress: '127.0.0.1:7',
      members: [
        {
          role: 'jobmanager',
          index: 0,
          name: 'jobmanager',
          pid: 11,
          startTime: '42',
          stdoutFile: 'jobmanager.out',
          logFile: 'jobmanager.log',
        },
      ],
    };
    writeLocalClusterRecord(folder, started);
    expect(readLocalClusterRecord(folder)).toEqual(started);
    // Renamed into place: no temporary file is left beside it.
    expect(readdirSync(folder)).toEqual([LOCAL_CLUSTER_RECORD_FILE]);
  });

  it('reads no record where none was written', () => {
    expect(readLocalClusterRecord(join(root, 'nothing-here'))).toBeUndefined();
    expect(existsSync(join(root, 'nothing-here'))).toBe(false);
  });
});
