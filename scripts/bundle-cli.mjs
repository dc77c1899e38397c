// Bundles the compiled CLI (dist/src/cli/main.js) with the libraries it loads (gRPC, the generated
// messages, tar) into dist/bundle/cli/, which bin/flotilla.js runs for every verb. Each verb's
// modules stay a chunk of their own, loaded when that verb runs. Loading a few files instead of
// several hundred is most of what a process's start-up costs: `flotilla upload` (bundle already
// stored) went from about 370 to 230 ms, and a job manager's start to "listening on" from 280 to 170 ms (see
// docs/benchmarks.md, figures 1 and 2).
//
// What stays out of the bundle, and why:
// - task and driver worker threads: they load the compiled modules of dist/src (taskWorkerEntry.ts);
//   a worker has module instances of its own anyway;
// - running main() in this process (session and per-job modes): the user's code imports the SDK as
//   files, so it must meet the same module instances. In the bundle, run hands such a command line to
//   the compiled CLI (dist/src/cli/main.js) before doing anything else;
// - native and worker-thread packages (better-sqlite3, pino and its transports), from node_modules;
// - the PostgreSQL client (pg): only a control plane with --store postgresql://… loads it (a chunk
//   imported on demand), and its optional native binding (pg-native) is not installed, which a
//   bundler would try to resolve.
//
// The bundle sits two folders below dist/ like the compiled modules, so the paths they compute from
// import.meta.url (the descriptor set, package.json, bin/flotilla.js) point at the same files.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * How Flotilla bundles for Node (also the benchmarks' bundled one-call floor): one ESM file per
 * chunk, for Node 20; the CommonJS packages inside (grpc-js) call require() for Node's modules.
 */
export const NODE_BUNDLE_OPTIONS = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  banner: {
    js: "import { createRequire as __flotillaCreateRequire } from 'node:module'; const require = __flotillaCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

const root = fileURLToPath(new URL('..', import.meta.url));
const COMPILED_MAIN = '../../src/cli/main.js'; // from dist/bundle/cli/

/** Replaces the session/per-job path (runInClient) with a hand-over to the compiled CLI. */
const handOverClientMain = {
  name: 'hand-over-client-main',
  setup(build) {
    build.onResolve({ filter: /\/runInClient\.js$/ }, () => ({ path: 'runInClient', namespace: 'hand-over' }));
    build.onResolve({ filter: /^\.\.\/\.\.\/src\/cli\/main\.js$/, namespace: 'hand-over' }, ({ path }) => ({
      path,
      external: true,
    }));
    build.onLoad({ filter: /.*/, namespace: 'hand-over' }, () => ({
      contents: `export async function runInClient() {
  const { main } = await import(${JSON.stringify(COMPILED_MAIN)});
  return main(process.argv.slice(2));
}`,
      loader: 'js',
    }));
  },
};

/** Builds dist/bundle/cli from the compiled CLI. */
export async function bundleCli() {
  // Chunk names carry content hashes: clear the previous build's.
  rmSync(`${root}dist/bundle/cli`, { recursive: true, force: true });
  await build({
    ...NODE_BUNDLE_OPTIONS,
    entryPoints: [`${root}dist/src/cli/main.js`],
    outdir: `${root}dist/bundle/cli`,
    splitting: true,
    external: ['better-sqlite3', 'pino', 'pino-pretty', 'pg'],
    plugins: [handOverClientMain],
  });
}

// Run as a script (npm run build), not when imported for its options.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await bundleCli();
