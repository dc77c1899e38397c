/**
 * The client config's contexts against a real control plane with tenants: `flotilla config
 * set-context / use-context / get-contexts / current-context / delete-context`, a client verb that
 * takes its address and token from the current context or `--context`, and flags and environment
 * variables that override it, as kubectl's.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from './support/controlPlane.js';
import { runCli } from './support/processes.js';
import { tempDir } from './support/tempDir.js';
import { TOKEN_A, TOKEN_B, writeAuthConfig } from './security/securityTesting.js';

describe('client config contexts', () => {
  let controlPlane: TestControlPlane;
  let config: string;
  /** The CLI with this test's config and tenant A's token in an environment variable, and no address. */
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCli(args, { FLOTILLA_CONFIG: config, FLOTILLA_CONTROLPLANE: '', TEAM_A_TOKEN: TOKEN_A, ...env });

  beforeAll(async () => {
    controlPlane = await startControlPlane(['--auth-config', writeAuthConfig()]);
    config = join(tempDir('flotilla-config-'), 'flotilla', 'config.json');
  });

  it('saves contexts 0600 without a token, switches between them, and a client verb follows the current one', async () => {
    const tokenFile = join(tempDir(), 'team-b.token');
    writeFileSync(tokenFile, `${TOKEN_B}\n`, { mode: 0o600 });
    expect((await cli(['list'])).code).toBe(3); // no context: the default address, where nothing listens
    const saveA = await cli([
      'config',
      'set-context',
      'a',
      '--controlplane',
      controlPlane.address,
      '--token-env',
      'TEAM_A_TOKEN',
      '--use',
    ]);
    expect(saveA.code, saveA.stderr).toBe(0);
    const saveB = await cli([
      'config',
      'set-context',
      'b',
      '--controlplane',
      controlPlane.address,
      '--token-file',
      tokenFile,
    ]);
    expect(saveB.code, saveB.stderr).toBe(0);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    const text = readFileSync(config, 'utf8');
    expect(text).not.toContain(TOKEN_A);
    expect(text).not.toContain(TOKEN_B);
    expect(JSON.parse(text)).toEqual({
      'current-context': 'a',
      contexts: {
        a: { controlplane: controlPlane.address, 'token-env': 'TEAM_A_TOKEN' },
        b: { controlplane: controlPlane.address, 'token-file': tokenFile },
      },
    });

    // Tenant A through the current context: a cluster of its own, listed.
    const listA = await cli(['cluster', 'list']);
    expect(listA.code, listA.stderr).toBe(0);
    const started = await cli(['cluster', 'start', '--no-wait', '--name', 'of-team-a', '--task-executors', '1']);
    expect(started.code, started.stderr).toBe(0);
    const clusterId = started.stdout.trim();
    expect((await cli(['cluster', 'list'])).stdout).toContain(clusterId);
    // Tenant B by --context, and by FLOTILLA_CONTEXT: its own (empty) view.
    const listB = await cli(['cluster', 'list', '--context', 'b']);
    expect(listB.code, listB.stderr).toBe(0);
    expect(listB.stdout).not.toContain(clusterId);
    expect((await cli(['cluster', 'list'], { FLOTILLA_CONTEXT: 'b' })).stdout).not.toContain(clusterId);
    // use-context switches; current-context and get-contexts say so.
    expect((await cli(['config', 'use-context', 'b'])).code).toBe(0);
    expect((await cli(['config', 'current-context'])).stdout).toBe('b\n');
    expect((await cli(['cluster', 'list'])).stdout).not.toContain(clusterId);
    const contexts = (await cli(['config', 'get-contexts'])).stdout.split('\n');
    expect(contexts.find((line) => /^\*\s+b\s/.test(line))).toContain(controlPlane.address);
    expect(contexts.find((line) => /^\s+a\s/.test(line))).toContain('$TEAM_A_TOKEN');
    expect((await cli(['cluster', 'stop', clusterId, '--context', 'a'])).code).toBe(0);
  }, 60_000);

  it('lets flags and their environment variables override the context', async () => {
    expect((await cli(['config', 'use-context', 'a'])).code).toBe(0);
    const byFlag = await cli(['cluster', 'list', '--controlplane', '127.0.0.1:1']);
    expect(byFlag.code).toBe(3);
    expect(byFlag.stderr).toContain('127.0.0.1:1');
    expect((await cli(['cluster', 'list'], { FLOTILLA_CONTROLPLANE: '127.0.0.1:1' })).code).toBe(3);
    const wrongToken = await cli(['cluster', 'list', '--token', 'not-a-token-of-anyone-0123456789']);
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toMatch(/UNAUTHENTICATED|token/i);
  });

  it('refuses what it cannot use, saying what to change', async () => {
    const unknown = await cli(['cluster', 'list', '--context', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no context "nope"');
    expect(unknown.stderr).toContain('it has a, b');
    expect((await cli(['config', 'use-context', 'nope'])).code).toBe(2);
    const unset = await cli(['cluster', 'list'], { TEAM_A_TOKEN: '' });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('takes its token from the environment variable TEAM_A_TOKEN, which is not set');
    const inline = join(tempDir(), 'inline.json');
    writeFileSync(inline, JSON.stringify({ contexts: { x: { controlplane: controlPlane.address, token: TOKEN_A } } }));
    const refused = await cli(['cluster', 'list', '--context', 'x'], { FLOTILLA_CONFIG: inline });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('the config file never holds tokens');
    expect(refused.stderr).not.toContain(TOKEN_A);
    expect((await cli(['config', 'delete-context', 'b'])).code).toBe(0);
    expect((await cli(['config', 'get-contexts'])).stdout).not.toMatch(/^\*?\s+b\s/m);
  });
});
