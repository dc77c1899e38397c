// Figure 1: `flotilla run -D BUNDLE` without --follow against a warm control plane that already
// stores the bundle, timed from spawn() to the CLI's exit. Floors, measured just before it in each
// iteration: `node -e 0`, and a compiled script making one nice-grpc call (GetArtifact) to the
// same control plane, both as compiled modules and bundled with esbuild as the CLI's client verbs
// are (scripts/bundle-cli.mjs). Each run is a new application whose owned cluster the control plane deploys
// in the background; the iteration waits until it ended and every process of its cluster is gone,
// so no run starts beside a deploying or dying cluster.
import { build } from 'esbuild';
import { NODE_BUNDLE_OPTIONS } from '../../bundle-cli.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { profilesToMarkdown, readProfiles } from '../lib/cpuProfile.mjs';
import { startBenchControlPlane } from '../lib/controlPlane.mjs';
import { BENCH_BUNDLE, FLOTILLA_BIN, ROOT } from '../lib/paths.mjs';
import { runChecked } from '../lib/processes.mjs';
import { median } from '../lib/stats.mjs';

const ONE_GRPC_CALL = fileURLToPath(new URL('../lib/oneGrpcCall.mjs', import.meta.url));
const BUNDLED_GRPC_CALL = `${ROOT}dist/bundle/bench/oneGrpcCall.mjs`;

/** The one-call floor bundled as bin/flotilla.js's client verbs are: one file with nice-grpc and the generated client. */
async function bundleOneGrpcCall() {
  await build({ ...NODE_BUNDLE_OPTIONS, entryPoints: [ONE_GRPC_CALL], outfile: BUNDLED_GRPC_CALL });
}

const relative = (path) => path.replace(ROOT, '');

export const figure = {
  id: '1',
  title: '`flotilla run -D` (no --follow), warm control plane, bundle already stored: wall time until the CLI exits',
  target: 'median <= 200 ms',
};

export async function run({ smoke, log, profile = true }) {
  const runs = smoke ? 2 : 20;
  await bundleOneGrpcCall();
  const controlPlane = await startBenchControlPlane();
  const cli = [FLOTILLA_BIN, 'run', '-D', BENCH_BUNDLE];
  const subject = [];
  const nodeFloor = [];
  const grpcFloor = [];
  const bundledGrpcFloor = [];
  const listParts = [];
  const uploadParts = [];
  const importAll = [];
  const importRun = [];
  let profileMarkdown = '';
  try {
    const runOnce = async () => {
      const { stdout, ms } = await runChecked(process.execPath, cli, { env: controlPlane.env });
      await controlPlane.followUntilEnd(stdout.trim());
      await controlPlane.waitForNoClusterProcesses();
      await new Promise((resolve) => setTimeout(resolve, 200));
      return ms;
    };
    // One warm-up: the control plane's first application, the page cache, the JIT of the server.
    await runOnce();
    for (let i = 0; i < runs; i++) {
      const floors = [
        async () => nodeFloor.push((await runChecked(process.execPath, ['-e', '0'])).ms),
        async () =>
          grpcFloor.push(
            (await runChecked(process.execPath, [ONE_GRPC_CALL, controlPlane.address, controlPlane.artifactId])).ms,
          ),
        async () =>
          bundledGrpcFloor.push(
            (await runChecked(process.execPath, [BUNDLED_GRPC_CALL, controlPlane.address, controlPlane.artifactId])).ms,
          ),
      ];
      const importOnly = (module) => [
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(`${ROOT}${module}`)})`,
      ];
      const parts = [
        // Only importing what bin/flotilla.js loads for a client verb (the bundle's entry), and the compiled modules `run` needs.
        async () => importAll.push((await runChecked(process.execPath, importOnly('dist/bundle/cli/main.js'))).ms),
        async () => importRun.push((await runChecked(process.execPath, importOnly('dist/src/cli/commands/run.js'))).ms),
        // The CLI's start-up and one unary RPC (ListApplications).
        async () =>
          listParts.push((await runChecked(process.execPath, [FLOTILLA_BIN, 'list'], { env: controlPlane.env })).ms),
        // The CLI's start-up, packing and hashing the bundle, GetArtifact (stored: no upload).
        async () =>
          uploadParts.push(
            (await runChecked(process.execPath, [FLOTILLA_BIN, 'upload', BENCH_BUNDLE], { env: controlPlane.env })).ms,
          ),
      ];
      // Alternate the floors' order; the subject goes last, on a quiet machine (nothing deploys yet).
      for (const step of i % 2 === 0 ? [...floors, ...parts] : [...parts, ...floors].reverse()) await step();
      subject.push(await runOnce());
      log(
        `run ${i + 1}/${runs}: run -D ${subject.at(-1).toFixed(0)} ms, node -e 0 ${nodeFloor.at(-1).toFixed(0)} ms, one gRPC call ${grpcFloor.at(-1).toFixed(0)} ms`,
      );
    }
    if (profile) profileMarkdown = await profileOneRun(controlPlane, cli, log);
  } finally {
    await controlPlane.close();
  }
  return {
    rows: [
      {
        label: 'run -D, CLI wall time',
        unit: 'ms',
        subject,
        floors: [
          { label: '`node -e 0`', samples: nodeFloor, command: `${process.execPath} -e 0` },
          {
            label: 'one nice-grpc call (GetArtifact)',
            samples: grpcFloor,
            command: `node ${relative(ONE_GRPC_CALL)} CONTROLPLANE_ADDRESS ARTIFACT_ID`,
          },
          {
            label: 'the same call bundled with esbuild (one file)',
            samples: bundledGrpcFloor,
            command: `node ${relative(BUNDLED_GRPC_CALL)} CONTROLPLANE_ADDRESS ARTIFACT_ID (bundled from ${relative(ONE_GRPC_CALL)})`,
          },
        ],
        breakdown: [
          {
            label: 'a process that only imports dist/bundle/cli/main.js (what bin/flotilla.js loads for a client verb)',
            samples: importAll,
          },
          {
            label:
              'a process that only imports the compiled dist/src/cli/commands/run.js (what `run` loaded before the bundle)',
            samples: importRun,
          },
          { label: '`flotilla list` (CLI start-up + one unary RPC)', samples: listParts },
          {
            label: '`flotilla upload BUNDLE`, already stored (start-up + pack + hash + GetArtifact)',
            samples: uploadParts,
          },
        ],
        target: figure.target,
        goal: { of: 'median', max: 200 },
        command: `FLOTILLA_CONTROLPLANE=CONTROLPLANE_ADDRESS node bin/flotilla.js run -D ${relative(BENCH_BUNDLE)}`,
      },
    ],
    notes: [
      `${runs} runs after one warm-up run; each run's application (a main() that returns at once) is followed to FINISHED and its owned cluster (1 task executor) is gone before the next run starts.`,
      'The CLI packs the bundle folder (reproducible .tgz) and hashes it, asks GetArtifact (already stored, no upload), then RunApplication, and exits; the control plane deploys the cluster after answering.',
      `Ratio vs the gRPC-call floor: ${(median(subject) / median(grpcFloor)).toFixed(2)}×; vs the bundled one: ${(median(subject) / median(bundledGrpcFloor)).toFixed(2)}×.`,
    ],
    extra: profileMarkdown,
  };
}

/** One more `run -D` under --cpu-prof; Markdown of where the CLI's time goes. */
async function profileOneRun(controlPlane, cli, log) {
  const folder = mkdtempSync(join(tmpdir(), 'flotilla-bench-cli-prof-'));
  try {
    const { stdout, ms } = await runChecked(process.execPath, ['--cpu-prof', '--cpu-prof-dir', folder, ...cli], {
      env: controlPlane.env,
    });
    await controlPlane.followUntilEnd(stdout.trim());
    await controlPlane.waitForNoClusterProcesses();
    log(`profiled run: ${ms.toFixed(0)} ms`);
    return [
      "#### Where the CLI's time goes (one extra run under `--cpu-prof`)",
      '',
      `\`node --cpu-prof bin/flotilla.js run -D ${relative(BENCH_BUNDLE)}\` took ${Math.round(ms)} ms (profiling slows it down).`,
      '',
      profilesToMarkdown(readProfiles(folder)),
    ].join('\n');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
