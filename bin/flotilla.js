#!/usr/bin/env node
// The flotilla command. Runs the CLI's bundle, dist/bundle/cli (npm run build: tsc, then
// scripts/bundle-cli.mjs), so that start-up loads a few files instead of several hundred; without
// a bundle (only tsc ran) it runs the compiled modules of dist/src.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/cli/main.js', import.meta.url);
const { main } = await import((existsSync(bundle) ? bundle : new URL('../dist/src/cli/main.js', import.meta.url)).href);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`flotilla: ${error?.stack ?? error}\n`);
    process.exitCode = 1;
  },
);
