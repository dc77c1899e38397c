import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../common/testing/tempDir.js';
import { controlplaneCommand } from '../commands/controlplane.js';
import { parseCommandLine } from '../options/args.js';
import { externalJobManagersOf } from './externalJobManagerOptions.js';

const SECRET = 'the-secret-of-a-job-manager-0123';

function secretFile(secret = SECRET): string {
  const file = join(tempDir(), 'secret');
  writeFileSync(file, `${secret}\n`);
  return file;
}

/** The listed job managers of a control plane command line, with `tenants` in its auth config. */
function listed(argv: string[], tenants?: string[], env: NodeJS.ProcessEnv = {}) {
  const warnings: string[] = [];
  const jobManagers = externalJobManagersOf(
    parseCommandLine(controlplaneCommand, argv, {}),
    tenants,
    (message) => warnings.push(message),
    env,
  );
  return { jobManagers, warnings };
}

describe('--external-jobmanager', () => {
  it('lists job managers with their secrets, for every tenant or only the ones named', () => {
    const file = secretFile();
    const { jobManagers, warnings } = listed(
      ['--external-jobmanager', `127.0.0.1:6123=${file}`, '--external-jobmanager', 'team-b,team-c@jm.example:7000'],
      ['team-a', 'team-b', 'team-c'],
    );
    expect(warnings).toEqual([]);
    expect(jobManagers.usableBy('127.0.0.1:6123', 'team-a')).toEqual({
      address: '127.0.0.1:6123',
      clusterSecret: SECRET,
      tenants: [],
    });
    expect(jobManagers.usableBy('JM.example:7000', 'team-c')).toMatchObject({ address: 'jm.example:7000' });
    expect(jobManagers.usableBy('jm.example:7000', 'team-a')).toBeUndefined();
    expect(jobManagers.usableBy('127.0.0.1:6124', 'team-a')).toBeUndefined();
    expect(listed([]).jobManagers.size).toBe(0);
  });

  it('refuses entries it cannot use, naming them, and the old --cluster-secret-file with the way to migrate', () => {
    const file = secretFile();
    expect(() => listed(['--external-jobmanager', 'team-x@127.0.0.1:1'], ['team-a'])).toThrow(
      /"team-x" is not a tenant of --auth-config \(team-a\)/,
    );
    expect(() => listed(['--external-jobmanager', 'team-a@127.0.0.1:1'])).toThrow(
      /there are none without --auth-config/,
    );
    expect(() => listed(['--external-jobmanager', '127.0.0.1:1', '--external-jobmanager', '127.0.0.1:1'])).toThrow(
      /lists 127.0.0.1:1 twice/,
    );
    expect(() => listed(['--external-jobmanager', 'nothing'])).toThrow(/is not HOST:PORT/);
    expect(() => listed(['--external-jobmanager', '127.0.0.1:1='])).toThrow(/name the secret's file after "="/);
    expect(() => listed(['--external-jobmanager', `127.0.0.1:1=${secretFile('short')}`])).toThrow(
      /must be at least 16 characters/,
    );
    expect(() => listed(['--cluster-secret-file', file])).toThrow(
      /--cluster-secret-file is no longer taken by the control plane.*--external-jobmanager HOST:PORT=SECRET_FILE/,
    );
  });

  it('warns that FLOTILLA_CLUSTER_SECRET is ignored by the control plane', () => {
    expect(listed([], undefined, { FLOTILLA_CLUSTER_SECRET: SECRET }).warnings).toEqual([
      expect.stringContaining('FLOTILLA_CLUSTER_SECRET is ignored by the control plane'),
    ]);
  });
});
