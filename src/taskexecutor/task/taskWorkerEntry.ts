/**
 * Where the worker thread's entry module is. Built code finds `taskWorker.js` beside this module;
 * tests that run the TypeScript sources directly (vitest) use the compiled copy in `dist/`, since a
 * worker thread cannot load TypeScript, so `npm run build` must have run (`npm test` does).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FailedPreconditionError } from '../../common/errors.js';

/** The URL of the compiled `taskWorker.js`. */
export function taskWorkerEntry(): URL {
  const beside = new URL('./taskWorker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  const here = fileURLToPath(import.meta.url);
  const marker = `${'/'}src${'/'}taskexecutor${'/'}task${'/'}`;
  const at = here.lastIndexOf(marker);
  const compiled = at < 0 ? undefined : `${here.slice(0, at)}/dist${marker}taskWorker.js`;
  if (compiled === undefined || !existsSync(compiled)) {
    throw new FailedPreconditionError(`the task worker is not built (looked for ${fileURLToPath(beside)}${compiled ? ` and ${compiled}` : ''}); run npm run build`);
  }
  return pathToFileURL(compiled);
}
