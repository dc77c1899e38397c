/**
 * TLS end to end on real processes: a control plane started with --tls-cert/--tls-key (and tokens)
 * runs `flotilla run -D --follow` of the wordcount example to FINISHED for a CLI that trusts its CA,
 * on an owned cluster whose job manager and task executor themselves serve TLS and take calls only
 * with the cluster's secret, which the control plane issued and never wrote to a log. A client
 * that does not speak TLS, or does not trust the CA, is told how to connect.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificates, type TestCertificates } from '../support/certificates.js';
import { startControlPlane, type TestControlPlane } from '../support/controlPlane.js';
import { ROOT, runCli } from '../support/processes.js';
import { sharedDir } from '../support/tempDir.js';
import { TOKEN_A, writeAuthConfig } from './securityTesting.js';

describe('a control plane serving TLS, and the clusters it deploys', () => {
  let certificates: TestCertificates;
  let controlPlane: TestControlPlane;

  beforeAll(async () => {
    certificates = makeTestCertificates();
    controlPlane = await startControlPlane([
      '--tls-cert',
      certificates.certFile,
      '--tls-key',
      certificates.keyFile,
      '--tls-ca',
      certificates.caFile,
      '--auth-config',
      writeAuthConfig(),
    ]);
  });

  it('runs the wordcount example to FINISHED over TLS, on an owned cluster that speaks TLS with a cluster secret', async () => {
    const output = join(sharedDir(), 'ranking');
    const run = await runCli(['run', '-D', '--follow', `${ROOT}examples/wordcount`, '3', output], {
      ...controlPlane.env,
      FLOTILLA_TLS_CA: certificates.caFile,
      FLOTILLA_TOKEN: TOKEN_A,
    });
    expect(run.stderr).toContain('application FINISHED');
    expect(run.code).toBe(0);
    const ranking = readdirSync(output)
      .map((file) => readFileSync(join(output, file), 'utf8'))
      .join('');
    expect(ranking).toContain('to 6');

    // The cluster's processes served TLS and asked for the cluster's secret.
    const db = new Database(join(controlPlane.stateDir, 'state.db'), { readonly: true, fileMustExist: true });
    const clusters = db.prepare('SELECT id, deployment_reference AS folder, cluster_secret FROM clusters').all() as {
      id: string;
      folder: string;
      cluster_secret: string;
    }[];
    db.close();
    expect(clusters).toHaveLength(1);
    const [{ folder, cluster_secret: secret }] = clusters;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const logs = readdirSync(folder).filter((file) => file.endsWith('.log'));
    expect(logs.sort()).toEqual(['jobmanager.log', 'taskexecutor-0.log']);
    for (const log of logs) {
      const text = readFileSync(join(folder, log), 'utf8');
      expect(text).toContain("serving TLS; every call but health and reflection must carry the cluster's secret");
      expect(text).not.toContain(secret);
    }
    expect(controlPlane.process.stderr()).not.toContain(secret);
  });

  it('tells a client that does not speak TLS, or does not trust the CA, to pass --tls-ca', async () => {
    const plaintext = await runCli(['list'], { ...controlPlane.env, FLOTILLA_TOKEN: TOKEN_A });
    expect(plaintext.code).toBe(3);
    expect(plaintext.stderr).toContain('if it serves TLS, pass its CA with --tls-ca or FLOTILLA_TLS_CA');
    const untrusted = await runCli(['list', '--tls-ca', certificates.certFile], {
      ...controlPlane.env,
      FLOTILLA_TOKEN: TOKEN_A,
    });
    expect(untrusted.code).toBe(3);
    expect(untrusted.stderr).toMatch(/TLS: .*certificate.*pass the CA that signed its certificate with --tls-ca/);
    const trusted = await runCli(['list', '--tls-ca', certificates.caFile], {
      ...controlPlane.env,
      FLOTILLA_TOKEN: TOKEN_A,
    });
    expect(trusted.code).toBe(0);
    expect(trusted.stderr).not.toContain('DeprecationWarning');
  });
});
