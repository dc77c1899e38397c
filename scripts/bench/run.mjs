// The benchmark harness of issue 6: runs each figure (scripts/bench/figures/), each beside its
// floor measured in the same run, and writes the report. It imports the compiled code in dist/,
// so build first (`npm run bench` does: npm run build && node scripts/bench/run.mjs).
//
//   node scripts/bench/run.mjs            full sizes, writes docs/benchmarks.md
//   node scripts/bench/run.mjs --smoke    tiny sizes and few runs, writes a temp file; exits non-zero
//                                         only when a figure's script breaks, never because of a time
//   --out FILE                            write the report there instead
//   --only 1,3                            run only these figures (the report then goes to a temp file unless --out)
//   --only 5 --merge                      run only these figures and put their rows and sections into the existing
//                                         report (docs/benchmarks.md, or --out), with a note saying when they were measured
//   --no-profile                          skip the --cpu-prof runs of the figures that profile their misses
//   --kubernetes                          also measure figure 2 on Kubernetes: starts the project's test cluster
//                                         (scripts/k8s/cluster.mjs, root, the binaries of scripts/k8s/build.sh) for
//                                         the run and stops it after, putting the host's settings back
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { killLeftoverClusters } from './lib/controlPlane.mjs';
import { startKubernetesCluster, stopKubernetesClusterNow } from './lib/kubernetesCluster.mjs';
import { describeMachine } from './lib/machine.mjs';
import { ROOT } from './lib/paths.mjs';
import { existsSync, readFileSync } from 'node:fs';
import { mergeReport, renderReport, writeReport } from './lib/report.mjs';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
    'no-profile': { type: 'boolean', default: false },
    merge: { type: 'boolean', default: false },
    kubernetes: { type: 'boolean', default: false },
  },
});
if (values.merge && (values.only === undefined || values.smoke)) {
  process.stderr.write('--merge needs --only (the figures to replace) and full sizes (no --smoke)\n');
  process.exit(2);
}

const FIGURES = ['submission', 'ownedCluster', 'warmCluster', 'wordCount', 'scale', 'teardown', 'streamingCheckpoints'];
const only = values.only?.split(',').map((id) => id.trim());
const partial = only !== undefined;
const out =
  values.out ??
  ((values.smoke || partial) && !values.merge
    ? join(tmpdir(), `flotilla-benchmarks-${values.smoke ? 'smoke-' : ''}${process.pid}.md`)
    : join(ROOT, 'docs/benchmarks.md'));
const command = values.smoke
  ? 'npm run bench:smoke'
  : partial
    ? `node scripts/bench/run.mjs --only ${values.only}${values.merge ? ' --merge' : ''}${values.kubernetes ? ' --kubernetes' : ''}`
    : `npm run bench${values.kubernetes ? ' -- --kubernetes' : ''}`;

// An interrupted run leaves no cluster behind: the control planes' clusters are detached processes
// (direct children are killed by lib/processes.mjs on exit).
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killLeftoverClusters();
    stopKubernetesClusterNow();
    process.exit(130);
  });
}

const begin = performance.now();
const stamp = () => `${((performance.now() - begin) / 1000).toFixed(1).padStart(6)} s`;
const machine = { ...describeMachine(ROOT), builtByRun: process.env.npm_lifecycle_event === 'bench' };
process.stderr.write(
  `${stamp()} benchmarks (${values.smoke ? 'smoke' : 'full'}) on ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB, Node ${machine.node}; report: ${out}\n`,
);

const results = [];
let failed = false;
// Only figure 2 measures on Kubernetes; the cluster is started only when it runs.
const kubernetes =
  values.kubernetes && (!only || only.includes('2'))
    ? await startKubernetesCluster((text) => process.stderr.write(`${stamp()} [k8s] ${text}\n`))
    : undefined;
try {
  for (const name of FIGURES) {
    const { figure, run } = await import(`./figures/${name}.mjs`);
    if (only && !only.includes(figure.id)) continue;
    const log = (text) => process.stderr.write(`${stamp()} [${figure.id}] ${text}\n`);
    log(figure.title.replaceAll('`', ''));
    const figureBegin = performance.now();
    const loadBefore = loadavg()[0];
    let result;
    try {
      result = { figure, ...(await run({ smoke: values.smoke, log, profile: !values['no-profile'], kubernetes })) };
    } catch (error) {
      failed = true;
      log(`FAILED: ${error?.stack ?? error}`);
      result = { figure, error: String(error?.stack ?? error) };
    }
    result.conditions = { seconds: (performance.now() - figureBegin) / 1000, loadBefore, loadAfter: loadavg()[0] };
    results.push(result);
  }
} finally {
  await kubernetes?.stop().catch((error) => {
    failed = true;
    process.stderr.write(`${stamp()} [k8s] stopping the test cluster failed: ${error?.stack ?? error}\n`);
  });
}

const durationMs = performance.now() - begin;
const report = renderReport({
  machine,
  mode: values.smoke ? 'smoke' : 'full',
  command,
  results,
  durationMs,
  loadAtEnd: loadavg(),
});
writeReport(
  out,
  values.merge && existsSync(out)
    ? mergeReport(readFileSync(out, 'utf8'), report, { ids: only, command, machine })
    : report,
);
process.stderr.write(`${stamp()} wrote ${out}${failed ? "; a figure's script failed" : ''}\n`);
// Open gRPC channels and timers of the figures must not keep the process alive.
process.exit(failed ? 1 : 0);
