#!/usr/bin/env node
// The flotilla command. Runs the compiled CLI (npm run build) so start-up stays fast.
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`flotilla: ${error?.stack ?? error}\n`);
    process.exitCode = 1;
  },
);
