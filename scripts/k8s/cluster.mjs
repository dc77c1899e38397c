// Starts the Kubernetes test cluster by hand, the one the tests start themselves
// (test/support/kubernetes/): the full tier (etcd, kube-apiserver, kube-scheduler,
// kube-controller-manager, containerd with a CNI bridge and one kubelet) or, with --tier api, the
// API server tier alone (etcd and kube-apiserver, ready in seconds). It prints the kubeconfig's path
// and waits; on Ctrl-C (SIGINT), SIGTERM or SIGHUP it deletes every pod, stops every process it
// started (by pid), removes what they left and puts back every host setting the tier changed
// (sysctls, ip_forward, iptables chains, the CNI bridge, pod network namespaces, cgroups, folders),
// also when starting failed half-way or a daemon died meanwhile. Needs root and the binaries of
// scripts/k8s/build.sh (built once, then cached).
//
//   node scripts/k8s/cluster.mjs [--tier full|api] [--kubeconfig-out FILE]
//
// stdout gets two lines scripts can read, `kubeconfig: PATH` once the cluster is ready and
// `stopped` once everything is cleaned up; progress and what was undone go to stderr. Exit code 0
// after a clean stop, 1 when starting failed or something could not be put back, 2 for bad usage.
// --kubeconfig-out also copies the kubeconfig to FILE (removed again at the stop).
//
// The tier's code is TypeScript shared with the tests; this script bundles it with esbuild into a
// temporary folder and runs it. That code registers its end-of-file cleanup (stopping tiers,
// removing temporary folders) with vitest's afterAll; here vitest is replaced by a module whose
// afterAll keeps the hooks, which the script runs once it has stopped the tier.
import { build } from 'esbuild';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      tier: { type: 'string', default: 'full' },
      'kubeconfig-out': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
  if (options.tier !== 'full' && options.tier !== 'api')
    throw new Error(`--tier must be "full" or "api", got "${options.tier}"`);
} catch (error) {
  process.stderr.write(
    `cluster.mjs: ${error.message}\nusage: node scripts/k8s/cluster.mjs [--tier full|api] [--kubeconfig-out FILE]\n`,
  );
  process.exit(2);
}
if (options.help) {
  process.stdout.write('usage: node scripts/k8s/cluster.mjs [--tier full|api] [--kubeconfig-out FILE]\n');
  process.exit(0);
}

const bundleDir = mkdtempSync(join(tmpdir(), 'flotilla-k8s-script-'));
const stub = join(bundleDir, 'vitest-stub.mjs');
// The tier modules import only afterAll from vitest.
writeFileSync(
  stub,
  'const hooks = [];\nexport function afterAll(hook) { hooks.push(hook); }\nexport async function runAfterAll() { for (const hook of hooks.splice(0)) await hook(); }\n',
);
const entry = join(bundleDir, 'entry.mjs');
writeFileSync(
  entry,
  [
    `export { startApiServerTier } from ${JSON.stringify(join(root, 'test/support/kubernetes/apiServerTier.ts'))};`,
    `export { startFullTier } from ${JSON.stringify(join(root, 'test/support/kubernetes/fullTier.ts'))};`,
    `export { runAfterAll } from ${JSON.stringify(stub)};`,
    '',
  ].join('\n'),
);
const bundled = join(bundleDir, 'tier.mjs');
await build({
  entryPoints: [entry],
  outfile: bundled,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  alias: { vitest: stub },
  // The test support finds the checkout from where its module lies (test/support/processes.ts), not from the bundle's folder.
  define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(root, 'test/support/processes.ts')).href) },
  // Modules resolve from the checkout, whatever the temporary folder.
  nodePaths: [join(root, 'node_modules')],
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
});
const tiers = await import(pathToFileURL(bundled).href);
rmSync(bundleDir, { recursive: true, force: true });

const say = (line) => process.stderr.write(`cluster.mjs: ${line}\n`);
let stopSignal;
let wake = () => undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (stopSignal) {
      say(`${signal} again: still stopping, please wait (the host settings are being put back)`);
      return;
    }
    stopSignal = signal;
    wake();
  });
}

let tier;
let exitCode = 0;
try {
  say(`starting the ${options.tier === 'api' ? 'API server' : 'full'} tier`);
  tier = options.tier === 'api' ? await tiers.startApiServerTier() : await tiers.startFullTier();
  if (options['kubeconfig-out'])
    writeFileSync(options['kubeconfig-out'], await import('node:fs').then((fs) => fs.readFileSync(tier.kubeconfig)), {
      mode: 0o600,
    });
  process.stdout.write(`kubeconfig: ${tier.kubeconfig}\n`);
  say(`ready: export KUBECONFIG=${tier.kubeconfig}; Ctrl-C stops the cluster and cleans up`);
  if (!stopSignal) await new Promise((resolve) => (wake = resolve));
  say(`${stopSignal}: stopping`);
} catch (error) {
  // A failed start has already stopped what it started (the tiers do that before they reject).
  say(`starting failed: ${error?.stack ?? error}`);
  exitCode = 1;
} finally {
  try {
    const undone = tier ? ((await tier.stop()) ?? []) : [];
    for (const line of undone) say(`put back: ${line}`);
    // The temporary folders the tier made (its data, logs, keys).
    await tiers.runAfterAll();
  } catch (error) {
    say(`stopping failed: ${error?.stack ?? error}`);
    exitCode = 1;
  }
  if (options['kubeconfig-out']) rmSync(options['kubeconfig-out'], { force: true });
  process.stdout.write('stopped\n');
}
process.exit(exitCode);
