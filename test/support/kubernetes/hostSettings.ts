/**
 * The host settings the full tier changes, saved before it starts and put back after it stopped,
 * also when a test failed: the kubelet's sysctls (vm.overcommit_memory, kernel.panic,
 * kernel.panic_on_oops, ...), the CNI bridge's net.ipv4.ip_forward, iptables chains, the folders
 * the kubelet and containerd's shims write to whatever their flags say (/var/log/pods,
 * /run/containerd, ...), pod network namespaces, links and the kubepods cgroups. Only what was not
 * there before is removed: whatever else runs on the machine keeps its files, namespaces and chains.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Sysctls the kubelet (setupKernelTunables) and the CNI bridge plugin set. */
const SYSCTLS = [
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
  'net/ipv4/ip_forward',
  'net/ipv6/conf/all/forwarding',
];

/** Folders written to whatever the flags say: only entries that were not there before are removed. */
const FOLDERS = [
  '/var/lib/kubelet',
  '/var/lib/dockershim',
  '/var/log/pods',
  '/var/log/containers',
  '/run/containerd',
  '/var/lib/containerd',
  '/opt/containerd',
  '/var/lib/cni',
  '/etc/kubernetes',
  '/run/netns',
];
/** Folders others may use too: when the tier made them, they are removed only if empty. */
const SHARED_FOLDERS = new Set(['/run/netns']);

/**
 * Names of what the tier's processes make, the only ones removed: another test on the machine may
 * add namespaces, links or chains of its own meanwhile. Containerd names pod namespaces cni-<uuid>;
 * the pods' veths vanish with their namespaces.
 */
const OURS = { chain: /^(KUBE|CNI)-/, netns: /^cni-/, link: /^flotilla[01]$/, cgroup: /^kubepods/ };

/** What the host looks like, as far as the full tier can change it. */
export interface HostSettings {
  sysctls: Record<string, string | null>;
  /** Each folder's entries, or null when it did not exist. */
  folders: Record<string, string[] | null>;
  /** Each cgroup controller's subfolders (kubepods appears here). */
  cgroups: Record<string, string[]>;
  netns: string[];
  links: string[];
  /** Chains per iptables table, for IPv4 and IPv6. */
  iptablesChains: Record<string, string[]>;
}

const CGROUP_ROOT = '/sys/fs/cgroup';

function entries(folder: string): string[] | null {
  return existsSync(folder) ? readdirSync(folder).sort() : null;
}

function run(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/** The cgroup v1 hierarchies (cpu, memory, ...; not their symlinked aliases), or the v2 root. */
function cgroupControllers(): string[] {
  if (existsSync(join(CGROUP_ROOT, 'cgroup.procs'))) return ['.'];
  return subfolders(CGROUP_ROOT).filter((name) => existsSync(join(CGROUP_ROOT, name, 'cgroup.procs')));
}

function subfolders(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** iptables-save's chains, `<tool>/<table>` → chain names. */
function iptablesChains(): Record<string, string[]> {
  const chains: Record<string, string[]> = {};
  for (const tool of ['iptables-save', 'ip6tables-save']) {
    let table = '';
    for (const line of run(tool, []).split('\n')) {
      if (line.startsWith('*')) table = `${tool.replace('-save', '')}/${line.slice(1)}`;
      else if (line.startsWith(':')) (chains[table] ??= []).push(line.slice(1).split(' ')[0]);
    }
  }
  for (const list of Object.values(chains)) list.sort();
  return chains;
}

/** Reads the host's current settings. */
export function readHostSettings(): HostSettings {
  return {
    sysctls: Object.fromEntries(
      SYSCTLS.map((name) => {
        const file = join('/proc/sys', name);
        return [name, existsSync(file) ? readFileSync(file, 'utf8').trim() : null];
      }),
    ),
    folders: Object.fromEntries(FOLDERS.map((folder) => [folder, entries(folder)])),
    cgroups: Object.fromEntries(cgroupControllers().map((name) => [name, subfolders(join(CGROUP_ROOT, name))])),
    netns: entries('/run/netns') ?? [],
    links: run('ip', ['-o', 'link', 'show'])
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(': ')[1].split('@')[0])
      .sort(),
    iptablesChains: iptablesChains(),
  };
}

/** Unmounts every mount point under `folder`, deepest first, so that removing it never reaches through one. */
export function unmountUnder(folder: string): void {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point) => point !== undefined && (point === folder || point.startsWith(`${folder}/`)))
    .map((point) => point.replace(/\\040/g, ' '))
    .sort((a, b) => b.length - a.length);
  for (const point of points) execFileSync('umount', ['--lazy', point], { stdio: 'ignore' });
}

/** Removes a cgroup and its children, deepest first (cgroupfs removes folders, not files). */
function removeCgroup(folder: string): void {
  if (!existsSync(folder)) return;
  for (const child of subfolders(folder)) removeCgroup(join(folder, child));
  try {
    rmdirSync(folder);
  } catch (error) {
    throw new Error(`cannot remove the cgroup ${folder} (a process still in it?): ${(error as Error).message}`);
  }
}

/** Deletes an iptables chain the tier made, and the rules that jump to it from other chains. */
function deleteChain(tool: string, table: string, chain: string): void {
  for (const rule of run(`${tool}`, ['-t', table, '-S']).split('\n')) {
    if (rule.startsWith('-A ') && rule.includes(` -j ${chain}`) && !rule.startsWith(`-A ${chain} `))
      run('sh', ['-c', `${tool} -t ${table} ${rule.replace(/^-A /, '-D ')}`]);
  }
  run(tool, ['-t', table, '-F', chain]);
  run(tool, ['-t', table, '-X', chain]);
}

/**
 * Puts back what `before` recorded: sysctl values, and removes folders' entries, cgroups, network
 * namespaces, links and iptables chains that appeared since. Returns what it had to undo.
 */
export function restoreHostSettings(before: HostSettings): string[] {
  const now = readHostSettings();
  const undone: string[] = [];
  for (const [table, chains] of Object.entries(now.iptablesChains)) {
    const [tool, name] = table.split('/');
    for (const chain of chains.filter(
      (name) => OURS.chain.test(name) && !before.iptablesChains[table]?.includes(name),
    )) {
      deleteChain(tool, name, chain);
      undone.push(`${table} chain ${chain}`);
    }
  }
  for (const netns of now.netns.filter((name) => OURS.netns.test(name) && !before.netns.includes(name))) {
    run('ip', ['netns', 'delete', netns]);
    undone.push(`network namespace ${netns}`);
  }
  for (const link of now.links.filter((name) => OURS.link.test(name) && !before.links.includes(name))) {
    run('ip', ['link', 'delete', link]);
    undone.push(`link ${link}`);
  }
  for (const [controller, children] of Object.entries(now.cgroups)) {
    for (const child of children.filter(
      (name) => OURS.cgroup.test(name) && !before.cgroups[controller]?.includes(name),
    )) {
      removeCgroup(join(CGROUP_ROOT, controller, child));
      undone.push(`cgroup ${controller}/${child}`);
    }
  }
  for (const [folder, names] of Object.entries(now.folders)) {
    const previous = before.folders[folder];
    if (names === null) continue;
    if (previous === null) {
      if (SHARED_FOLDERS.has(folder)) {
        if (readdirSync(folder).length === 0) rmdirSync(folder);
      } else rmSync(folder, { recursive: true, force: true });
      undone.push(`folder ${folder}`);
      continue;
    }
    if (SHARED_FOLDERS.has(folder)) continue;
    for (const name of names.filter((entry) => !previous.includes(entry))) {
      rmSync(join(folder, name), { recursive: true, force: true });
      undone.push(`${join(folder, name)}`);
    }
  }
  for (const [name, value] of Object.entries(before.sysctls)) {
    if (value !== null && now.sysctls[name] !== value) {
      writeFileSync(join('/proc/sys', name), `${value}\n`);
      undone.push(`${name.replaceAll('/', '.')} ${now.sysctls[name]} → ${value}`);
    }
  }
  return undone;
}
