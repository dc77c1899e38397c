#!/usr/bin/env node
// The flotilla command. Runs the compiled CLI (npm run build) so start-up stays fast: client verbs
// load the bundle of dist/bundle/cli (scripts/bundle-cli.mjs), a few files instead of several
// hundred; the processes' verbs load the compiled modules of dist/src, which their worker threads
// share. Without a bundle (only tsc ran), every verb loads dist/src.
import { existsSync } from 'node:fs';

const PROCESS_VERBS = new Set(['controlplane', 'jobmanager', 'taskexecutor']);
const argv = process.argv.slice(2);
const bundle = new URL('../dist/bundle/cli/main.js', import.meta.url);
const entry = !PROCESS_VERBS.has(argv[0]) && existsSync(bundle) ? bundle : new URL('../dist/src/cli/main.js', import.meta.url);
const { main } = await import(entry.href);

main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`flotilla: ${error?.stack ?? error}\n`);
    process.exitCode = 1;
  },
);
