// Reads the .cpuprofile files that `node --cpu-prof` writes (one per thread: the main thread and
// each worker) and says where the time went: per thread, the share of idle, garbage collection
// and code, the functions with the most self time, and the same grouped by where the code lives
// (a package in node_modules, a folder of dist/src, Node's internals).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatNumber } from './stats.mjs';

/** Where a script lives, for grouping: "node:internal", "nice-grpc", "dist/src/taskexecutor", "bundle", … */
function placeOf(url) {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node: internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  const dist = /dist\/((?:src|generated)\/[^/]+)/.exec(url);
  if (dist) return `dist/${dist[1]}`;
  if (/bundles\/[0-9a-f]{64}/.test(url)) return 'the bundle (user functions)';
  return url.replace(/^file:\/\//, '');
}

function shortUrl(url) {
  if (!url) return '';
  return url
    .replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/')
    .replace(/^file:\/\/.*\/bundles\/[0-9a-f]{64}\//, 'bundle/');
}

/** Summarizes one profile: total ms, and self ms per function and per place. */
export function summarizeProfile(profile) {
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const selfUs = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const functions = new Map();
  const places = new Map();
  const files = new Set(
    profile.nodes.filter((node) => node.callFrame.url).map((node) => node.callFrame.url.replace(/^.*\//, '')),
  );
  // Module loading: samples whose leaf, walking up through Node's own and native frames only, is in
  // Node's module loader (resolving, reading, compiling). Top-level code of the modules runs in
  // their own frames and does not count; neither does code a module loader frame merely calls.
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const isLoading = (id) => {
    for (let current = id; current !== undefined; current = parents.get(current)) {
      const { url } = byId.get(current).callFrame;
      if (url.startsWith('node:internal/modules/')) return true;
      if (url !== '' && !url.startsWith('node:')) return false;
    }
    return false;
  };
  let loadingMs = 0;
  let idleMs = 0;
  let gcMs = 0;
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    const ms = us / 1000;
    if (isLoading(id)) loadingMs += ms;
    const name = callFrame.functionName || '(anonymous)';
    if (name === '(idle)') idleMs += ms;
    if (name === '(garbage collector)') gcMs += ms;
    const key = `${name} ${shortUrl(callFrame.url)}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
    functions.set(key, (functions.get(key) ?? 0) + ms);
    // V8's own entries: (garbage collector), (program), (idle), (root).
    const place = !callFrame.url && name.startsWith('(') ? name : placeOf(callFrame.url);
    places.set(place, (places.get(place) ?? 0) + ms);
  }
  return { totalMs, idleMs, gcMs, loadingMs, files, functions, places };
}

/** One summary of several (such as every worker thread of a run): times and maps added up. */
export function mergeSummaries(summaries) {
  const merged = {
    totalMs: 0,
    idleMs: 0,
    gcMs: 0,
    loadingMs: 0,
    files: new Set(),
    functions: new Map(),
    places: new Map(),
  };
  for (const summary of summaries) {
    for (const key of ['totalMs', 'idleMs', 'gcMs', 'loadingMs']) merged[key] += summary[key];
    for (const file of summary.files) merged.files.add(file);
    for (const key of ['functions', 'places'])
      for (const [name, ms] of summary[key]) merged[key].set(name, (merged[key].get(name) ?? 0) + ms);
  }
  return merged;
}

const top = (map, count) => [...map].sort((a, b) => b[1] - a[1]).slice(0, count);

/**
 * Reads every profile in `folder`: [{ file, thread, summary }], the main thread first. With
 * `sinceUs`, only the samples taken from then on count (see {@link monotonicNowUs}).
 */
export function readProfiles(folder, { sinceUs } = {}) {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((file) => {
      const [, pid, tid] = /\.(\d+)\.(\d+)\.\d+\.cpuprofile$/.exec(file) ?? [];
      const profile = JSON.parse(readFileSync(join(folder, file), 'utf8'));
      return {
        file,
        pid: Number(pid),
        thread: Number(tid),
        summary: summarizeProfile(sinceUs === undefined ? profile : profileSince(profile, sinceUs)),
      };
    })
    .sort((a, b) => a.pid - b.pid || a.thread - b.thread);
}

/**
 * Now on the clock of the profiles' timestamps (V8's TimeTicks, CLOCK_MONOTONIC in microseconds on
 * Linux, which `process.hrtime` reads too): a moment of the benchmark's process at which profiles of
 * other processes can be cut.
 */
export function monotonicNowUs() {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The profile from `sinceUs` on (all of it when it started later). */
function profileSince(profile, sinceUs) {
  if (sinceUs <= profile.startTime) return profile;
  const samples = [];
  const timeDeltas = [];
  let at = profile.startTime;
  let last = sinceUs;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < sinceUs) continue;
    samples.push(profile.samples[i]);
    timeDeltas.push(at - last);
    last = at;
  }
  return { ...profile, startTime: Math.min(sinceUs, profile.endTime), samples, timeDeltas };
}

/** A thread's name from the code it ran: the task executor's main thread, or which task a worker ran. */
function describeThread(profile) {
  if (profile.thread === 0) return 'main thread';
  const { files } = profile.summary;
  const ran = [];
  if (files.has('textFileSource.js') || files.has('readLinesInRange.js')) ran.push('Source: Text File');
  if (files.has('FlatMapOperator.js')) ran.push('Flat Map');
  if (files.has('SumOperator.js')) ran.push('Keyed Aggregation (sum)');
  if (files.has('TextFileSinkWriter.js')) ran.push('Sink: Text File');
  return `worker thread ${profile.thread}${ran.length ? ` (ran ${ran.join(' → ')})` : ''}`;
}

/** Markdown of the profiles: one table per thread that was busy (idle < 95 %). */
export function profilesToMarkdown(profiles) {
  const lines = [];
  for (const profile of profiles) {
    const { totalMs, idleMs, gcMs, loadingMs, functions, places } = profile.summary;
    const topFunctions = top(functions, 12);
    const topPlaces = top(places, 10);
    const busyMs = totalMs - idleMs;
    lines.push(
      `**${profile.label ?? describeThread(profile)}**${profile.pid ? ` (pid ${profile.pid})` : ''}: profiled ${formatNumber(totalMs)} ms, busy ${formatNumber(busyMs)} ms, of which loading modules ${formatNumber(loadingMs)} ms (resolving, reading and compiling in Node's module loader; modules' top-level code not included) and garbage collection ${formatNumber(gcMs)} ms`,
      '',
    );
    if (busyMs < totalMs * 0.05) {
      lines.push('(idle for more than 95 % of the time)', '');
      continue;
    }
    lines.push('| self time by place | ms | % of busy |', '| --- | --- | --- |');
    for (const [place, ms] of topPlaces)
      if (place !== '(idle)') lines.push(`| ${place} | ${formatNumber(ms)} | ${formatNumber((ms / busyMs) * 100)} |`);
    lines.push('', '| self time by function | ms | % of busy |', '| --- | --- | --- |');
    for (const [name, ms] of topFunctions)
      if (!name.startsWith('(idle)'))
        lines.push(
          `| \`${name.replaceAll('|', '\\|')}\` | ${formatNumber(ms)} | ${formatNumber((ms / busyMs) * 100)} |`,
        );
    lines.push('');
  }
  return lines.join('\n');
}
