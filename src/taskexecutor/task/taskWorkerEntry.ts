/**
 * Where the worker thread's entry module is (`src/taskexecutor/service/taskWorker.ts`, the worker's
 * composition root). Built code finds `taskWorker.js` in the service folder beside this one, and
 * the CLI's bundle finds the compiled one in `dist/src` (a worker has its own module instances anyway);
 * tests that run the TypeScript sources directly (vitest) use the compiled copy in `dist/`, since a
 * worker thread cannot load TypeScript, so `npm run build` must have run (`npm test` does).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FailedPreconditionError } from '../../common/errors.js';

/** The URL of the compiled `taskWorker.js`. */
export function taskWorkerEntry(): URL {
  const beside = new URL('../service/taskWorker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  // From the CLI's bundle (dist/bundle/cli, see scripts/bundle-cli.mjs): the worker runs the compiled modules.
  const fromBundle = new URL('../../src/taskexecutor/service/taskWorker.js', import.meta.url);
  if (existsSync(fileURLToPath(fromBundle))) return fromBundle;
  const here = fileURLToPath(import.meta.url);
  const marker = `${'/'}src${'/'}taskexecutor${'/'}task${'/'}`;
  const at = here.lastIndexOf(marker);
  const compiled = at < 0 ? undefined : `${here.slice(0, at)}/dist/src/taskexecutor/service/taskWorker.js`;
  if (compiled === undefined || !existsSync(compiled)) {
    throw new FailedPreconditionError(
      `the task worker is not built (looked for ${fileURLToPath(beside)}${compiled ? ` and ${compiled}` : ''}); run npm run build`,
    );
  }
  return pathToFileURL(compiled);
}
