/**
 * Several hosts on one machine, for tests (issue 19 part 8): each host is a network namespace of
 * its own with one address, its `eth0` one end of a veth pair whose other end sits on a bridge. The
 * bridge lives in a namespace of its own too (the "switch"), so the root namespace is never
 * touched: no link, no address, no route, no sysctl (hosts share one subnet, so nothing forwards
 * between interfaces and ip_forward is never needed). Processes start in a host with `nsenter
 * --net`, so they see the host's /sys and files, only another network. A partition is a host's
 * link set down. {@link VirtualNetwork.destroy} kills every process left in the namespaces and
 * deletes them (the bridge and the veths go with them), then checks that the host's settings are
 * what they were before; callers run it in `afterAll`/`finally`, so it runs when a test failed too.
 * Needs root (as CI runs the suite).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** What the network may change on the host, read before and compared after. */
export interface NetworkHostSettings {
  ipForward: string;
  netns: string[];
  rootLinks: string[];
}

/** One host: a network namespace with one address on the network. */
export interface VirtualHost {
  /** The namespace's name (under /run/netns). */
  netns: string;
  /** The host's IPv4 address on the network. */
  address: string;
  /** Runs `command args…` in the host's network namespace (nsenter --net); the child is the command itself. */
  spawn(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess;
  /** Runs a command in the host's namespace to its end; its stdout. */
  run(command: string, args: readonly string[]): string;
  /** Cuts the host off the network (its link down): packets to and from it are lost, nothing is refused. */
  partition(): void;
  /** Puts the host back on the network. */
  heal(): void;
}

/** A bridge and the hosts on it. */
export interface VirtualNetwork {
  hosts: VirtualHost[];
  /** Kills every process in the namespaces, deletes them, and checks the host's settings are as before (throws naming what differs). */
  destroy(): void;
}

/** The host's settings the network could change. */
export function readNetworkHostSettings(): NetworkHostSettings {
  return {
    ipForward: readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(),
    netns: existsSync('/run/netns') ? readdirSync('/run/netns').sort() : [],
    rootLinks: ip(['-o', 'link', 'show'])
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(': ')[1].split('@')[0])
      .sort(),
  };
}

function ip(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Makes a network of `hostCount` hosts on 10.213.0.0/24 (10.213.0.2, .3, …; the subnet is only
 * ever seen inside the namespaces, so networks of tests running at once do not meet).
 */
export function createVirtualNetwork(hostCount: number): VirtualNetwork {
  const before = readNetworkHostSettings();
  const id = `fl${randomBytes(3).toString('hex')}`;
  const switchNetns = `${id}-sw`;
  const made: string[] = [];
  const destroy = () => {
    for (const netns of made.reverse()) {
      // Whatever still runs in it (a test that failed half-way) is killed first, by pid.
      for (const pid of ip(['netns', 'pids', netns]).split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      try {
        ip(['netns', 'delete', netns]);
      } catch {
        // never made, or gone
      }
    }
    made.length = 0;
    const after = readNetworkHostSettings();
    if (JSON.stringify(after) !== JSON.stringify(before))
      throw new Error(
        `the host's network settings differ after the test: before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`,
      );
  };
  try {
    ip(['netns', 'add', switchNetns]);
    made.push(switchNetns);
    ip(['-n', switchNetns, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', switchNetns, 'link', 'set', 'br0', 'up']);
    const hosts = Array.from({ length: hostCount }, (_, index) => {
      const netns = `${id}-h${index}`;
      const address = `10.213.0.${index + 2}`;
      ip(['netns', 'add', netns]);
      made.push(netns);
      // Both ends are made inside namespaces: the pair never appears in the root namespace.
      ip(['-n', switchNetns, 'link', 'add', `port${index}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
      ip(['-n', switchNetns, 'link', 'set', `port${index}`, 'master', 'br0', 'up']);
      ip(['-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      ip(['-n', netns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', netns, 'link', 'set', 'lo', 'up']);
      const host: VirtualHost = {
        netns,
        address,
        spawn: (command, args, env = {}) =>
          spawn('nsenter', [`--net=/run/netns/${netns}`, '--', command, ...args], {
            stdio: ['ignore', 'pipe', 'pipe'],
            env: { ...process.env, ...env },
          }),
        run: (command, args) =>
          execFileSync('nsenter', [`--net=/run/netns/${netns}`, '--', command, ...args], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          }),
        partition: () => ip(['-n', netns, 'link', 'set', 'eth0', 'down']),
        heal: () => ip(['-n', netns, 'link', 'set', 'eth0', 'up']),
      };
      return host;
    });
    return { hosts, destroy };
  } catch (error) {
    destroy();
    throw error;
  }
}
