/**
 * The test cluster started by hand (issue 19, part 7): `node scripts/k8s/cluster.mjs` prints a
 * kubeconfig a real client uses, waits, and on Ctrl-C (SIGINT to its whole process group, as a
 * terminal sends it) or SIGTERM stops every process it started, removes its folder and puts every
 * host setting back, also when one of its daemons died meanwhile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { readHostSettings } from '../support/kubernetes/hostSettings.js';
import { ROOT } from '../support/processes.js';

interface RunningScript {
  child: ChildProcess;
  kubeconfig: string;
  stdout(): string;
  stderr(): string;
}

/** Starts the script in a process group of its own and waits for its kubeconfig line. */
async function startScript(args: readonly string[], timeoutMs: number): Promise<RunningScript> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts/k8s/cluster.mjs'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const kubeconfig = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no kubeconfig line within ${timeoutMs} ms:\n${stderr}`)),
      timeoutMs,
    );
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      const match = /^kubeconfig: (\S+)$/m.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`the script exited with ${code} before it was ready:\n${stderr}`)));
  });
  return { child, kubeconfig, stdout: () => stdout, stderr: () => stderr };
}

/** Processes whose command line names `folder` (the tier's daemons all do). */
function processesUnder(folder: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
        return state !== 'Z' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(folder);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The pid of the daemon whose binary is `name`, among those under `folder`. */
function daemonPid(folder: string, name: string): number {
  const pid = processesUnder(folder).find((candidate) =>
    readFileSync(`/proc/${candidate}/cmdline`, 'utf8').split('\0')[0].endsWith(`/${name}`),
  );
  if (pid === undefined) throw new Error(`no ${name} runs under ${folder}`);
  return pid;
}

/** Sends `signal` to the script's process group and resolves with its exit code. */
async function stopScript(script: RunningScript, signal: NodeJS.Signals): Promise<number | null> {
  const exited = once(script.child, 'exit');
  process.kill(-script.child.pid!, signal);
  const [code] = (await exited) as [number | null];
  return code;
}

describe('scripts/k8s/cluster.mjs', () => {
  it(
    'API server tier: its kubeconfig works, and Ctrl-C stops and removes everything',
    { timeout: 120_000 },
    async () => {
      const before = readHostSettings();
      const script = await startScript(['--tier', 'api'], 90_000);
      const folder = dirname(script.kubeconfig);
      try {
        const config = new KubeConfig();
        config.loadFromFile(script.kubeconfig);
        const namespace = await config.makeApiClient(CoreV1Api).readNamespace({ name: 'default' });
        expect(namespace.metadata?.name).toBe('default');
        expect(processesUnder(folder).length).toBeGreaterThanOrEqual(2);
      } finally {
        expect(await stopScript(script, 'SIGINT')).toBe(0);
      }
      expect(script.stdout()).toMatch(/\nstopped\n$/);
      expect(existsSync(folder)).toBe(false);
      expect(processesUnder(folder)).toEqual([]);
      expect(readHostSettings()).toEqual(before);
    },
  );

  it(
    'full tier: a node is Ready through its kubeconfig; after a daemon died, SIGTERM still stops everything and puts the host back',
    { timeout: 300_000 },
    async () => {
      const before = readHostSettings();
      const script = await startScript(['--tier', 'full'], 240_000);
      const folder = dirname(script.kubeconfig);
      try {
        const config = new KubeConfig();
        config.loadFromFile(script.kubeconfig);
        const nodes = await config.makeApiClient(CoreV1Api).listNode();
        expect(nodes.items).toHaveLength(1);
        expect(nodes.items[0].status?.conditions?.find((condition) => condition.type === 'Ready')?.status).toBe('True');
        // A failure while it waits: the scheduler is killed.
        process.kill(daemonPid(folder, 'kube-scheduler'), 'SIGKILL');
      } finally {
        expect(await stopScript(script, 'SIGTERM')).toBe(0);
      }
      expect(script.stdout()).toMatch(/\nstopped\n$/);
      expect(existsSync(folder)).toBe(false);
      expect(processesUnder(folder)).toEqual([]);
      expect(readHostSettings()).toEqual(before);
    },
  );
});
