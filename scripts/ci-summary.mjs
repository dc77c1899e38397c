#!/usr/bin/env node
// Reads vitest's JSON report and prints a summary that CI can read; the final line is always
// exactly `N passed, N failed`, so a run that executed no test is visible.
//
//   node scripts/ci-summary.mjs RESULTS.json [--vitest-exit-code N]
//
// passed: tests whose status is passed.
// failed: tests whose status is failed, plus every test file that failed without a failing test of
//         its own (it failed to load, or a beforeAll/afterAll hook threw), plus one when vitest
//         exited non-zero although nothing above failed (an unhandled error), plus one when the
//         report is missing or unreadable (vitest crashed or never ran): then the line is `0 passed, 1 failed`.
// Skipped and todo tests are counted on an earlier line, not in either number.
// Exit status: 0 when failed is 0 and passed > 0, else 1.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const args = process.argv.slice(2);
let file;
let vitestExitCode;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--vitest-exit-code') vitestExitCode = Number(args[++i]);
  else if (args[i].startsWith('--vitest-exit-code='))
    vitestExitCode = Number(args[i].slice('--vitest-exit-code='.length));
  else file ??= args[i];
}

function finish(passed, failed) {
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

let report;
try {
  if (!file) throw new Error('usage: node scripts/ci-summary.mjs RESULTS.json [--vitest-exit-code N]');
  const parsed = JSON.parse(readFileSync(file, 'utf8'));
  if (!parsed || !Array.isArray(parsed.testResults))
    throw new Error(`${file} is not a vitest JSON report (no testResults)`);
  report = parsed;
} catch (error) {
  console.log(
    `no test results: ${error.code === 'ENOENT' ? `${file} does not exist; vitest crashed or did not run` : error.message}`,
  );
  finish(0, 1);
}

if (report) {
  try {
    summarize(report);
  } catch (error) {
    console.log(`could not read the test results in ${file}: ${error.stack ?? error}`);
    finish(0, 1);
  }
}

function summarize(report) {
  const counts = { passed: 0, failed: 0, skipped: 0, todo: 0, other: 0 };
  const failures = [];
  const brokenFiles = [];
  for (const suite of report.testResults) {
    const name = relative(process.cwd(), suite.name ?? '?') || suite.name;
    let failedHere = 0;
    for (const test of suite.assertionResults ?? []) {
      const status = test.status;
      if (status === 'passed') counts.passed++;
      else if (status === 'failed') {
        counts.failed++;
        failedHere++;
        failures.push(`${name} > ${test.fullName ?? test.title}`);
      } else if (status === 'skipped' || status === 'pending' || status === 'disabled') counts.skipped++;
      else if (status === 'todo') counts.todo++;
      else counts.other++;
    }
    if (suite.status === 'failed' && failedHere === 0) {
      const firstLine =
        String(suite.message ?? '')
          .split('\n')
          .find((line) => line.trim()) ?? 'no message';
      brokenFiles.push(`${name}: ${firstLine.trim().slice(0, 200)}`);
    }
  }

  let failed = counts.failed + brokenFiles.length;
  console.log(`test files: ${report.testResults.length} (${brokenFiles.length} failed to load or in a hook)`);
  console.log(
    `tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.todo} todo${counts.other ? `, ${counts.other} other` : ''}`,
  );
  for (const failure of failures) console.log(`FAILED test: ${failure}`);
  for (const broken of brokenFiles) console.log(`FAILED file: ${broken}`);
  if (vitestExitCode !== undefined && Number.isFinite(vitestExitCode) && vitestExitCode !== 0 && failed === 0) {
    console.log(
      `vitest exited with ${vitestExitCode} although no test failed (an unhandled error?); counted as one failure`,
    );
    failed++;
  }
  if (counts.passed === 0) console.log('no test passed');
  finish(counts.passed, failed);
}
