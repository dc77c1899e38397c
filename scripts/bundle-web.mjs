// Bundles the dashboard's browser code (src/web/main.ts) into dist/web/app.js with esbuild and
// copies its page and style sheet (src/web/static/) beside it; the control plane serves that
// folder (--web-listen, src/cli/process/webEndpoint.ts). The generated messages are the same code
// the servers run; bufferShim.ts stands in for the little of Node's Buffer they use.
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Builds dist/web from src/web. */
export async function bundleWeb() {
  const out = `${root}dist/web`;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [`${root}src/web/main.ts`],
    outfile: `${out}/app.js`,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    inject: [`${root}src/web/bufferShim.ts`],
    tsconfig: `${root}src/web/tsconfig.json`,
    sourcemap: true,
    minify: true,
    logLevel: 'warning',
  });
  cpSync(`${root}src/web/static`, out, { recursive: true });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await bundleWeb();
