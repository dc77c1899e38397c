#!/usr/bin/env node
/**
 * The dependency rules of `npm run lint` (`npm run depcheck`): runs dependency-cruiser with
 * .dependency-cruiser.cjs over src/ and test/, adds the folder-cycle check of folderCycles.mjs, and
 * prints the violations grouped by rule, each rule with the sentence that says why it exists.
 * Exits 1 when anything is violated, 2 when the check itself could not run.
 *
 * Usage: node scripts/lint/depcheck.mjs [--base-dir DIR] [--json]
 *   --base-dir DIR  check the tree under DIR instead of the repository (the rules' own test uses
 *                   the fixture trees of test/lint/fixtures/)
 *   --json          print { modules, violations: [{ rule, from, to, cycle?, folders? }] } instead
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { FOLDER_CYCLE_RULE, findFolderCycles } from './folderCycles.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const TSCONFIG = join(ROOT, 'tsconfig.json');
/** The folders checked, relative to the base directory. */
const CHECKED = ['src', 'test'];

const { values } = parseArgs({
  options: { 'base-dir': { type: 'string', default: ROOT }, json: { type: 'boolean', default: false } },
});

try {
  const result = await check(resolve(values['base-dir']));
  if (values.json) {
    const { modules, imports, violations } = result;
    process.stdout.write(`${JSON.stringify({ modules, imports, violations }, null, 2)}\n`);
  } else {
    process.stdout.write(report(result));
  }
  process.exitCode = result.violations.length > 0 ? 1 : 0;
} catch (error) {
  process.stderr.write(`depcheck could not run: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 2;
}

/**
 * @param {string} baseDir
 * @returns {Promise<{ modules: number, imports: number, rules: { name: string, comment?: string }[], violations: { rule: string, from: string, to: string, cycle?: string[], folders?: string[], depth?: number, imports?: { from: string, to: string, imports: { from: string, to: string }[] }[] }[] }>}
 */
async function check(baseDir) {
  const options = await extractDepcruiseOptions(CONFIG);
  // Paths in the rules are relative to the checked tree; the TypeScript settings are the project's.
  process.chdir(baseDir);
  options.tsConfig = { fileName: TSCONFIG };
  options.ruleSet.options = { ...options.ruleSet.options, tsConfig: { fileName: TSCONFIG } };
  const targets = CHECKED.filter((folder) => existsSync(folder));
  const { output } = await cruise(targets, options, {}, { tsConfig: extractTSConfig(TSCONFIG) });
  if (typeof output === 'string') throw new Error('dependency-cruiser returned text, not a result');

  const violations = [];
  const cyclesSeen = new Set();
  for (const violation of output.summary.violations) {
    const cycle = violation.cycle?.map((step) => step.name);
    if (cycle) {
      const key = [...cycle].sort().join('\n');
      if (cyclesSeen.has(key)) continue;
      cyclesSeen.add(key);
    }
    violations.push({
      rule: violation.rule.name,
      from: violation.from,
      to: violation.to,
      ...(cycle ? { cycle: [violation.from, ...cycle] } : {}),
    });
  }

  // Folder cycles are about the code that ships. A unit test sits in the folder of the code it
  // tests and uses that folder's testing/ helpers, which import the code under test: counting tests
  // would make every testing/ folder a cycle with its parent. Tests still obey the other rules.
  const imports = output.modules
    .filter((module) => module.source.startsWith('src/') && !module.source.endsWith('.test.ts'))
    .flatMap((module) =>
      module.dependencies
        .filter((dependency) => dependency.resolved.startsWith('src/'))
        .map((dependency) => ({ from: module.source, to: dependency.resolved })),
    );
  for (const cycle of findFolderCycles(imports)) {
    violations.push({
      rule: FOLDER_CYCLE_RULE.name,
      from: cycle.folders[0],
      to: cycle.folders[cycle.folders.length - 1],
      folders: cycle.folders,
      depth: cycle.depth,
      imports: cycle.edges,
    });
  }
  return {
    modules: output.summary.totalCruised,
    imports: output.summary.totalDependenciesCruised,
    violations,
    rules: options.ruleSet.forbidden.map(({ name, comment }) => ({ name, comment })),
  };
}

/**
 * The violations grouped by rule, each group headed by the rule's reason.
 *
 * @param {Awaited<ReturnType<typeof check>>} result
 * @returns {string}
 */
function report({ modules, imports, violations, rules }) {
  const reasons = new Map([...rules, FOLDER_CYCLE_RULE].map((rule) => [rule.name, rule.comment ?? '']));
  const lines = [];
  const byRule = new Map();
  for (const violation of violations) {
    if (!byRule.has(violation.rule)) byRule.set(violation.rule, []);
    byRule.get(violation.rule).push(violation);
  }
  for (const [rule, ruleViolations] of byRule) {
    lines.push(`✗ ${rule}: ${ruleViolations.length} violation${ruleViolations.length === 1 ? '' : 's'}`);
    lines.push(`  why: ${reasons.get(rule) ?? ''}`);
    for (const violation of ruleViolations) {
      if (violation.folders) {
        lines.push(`  - folders at depth ${violation.depth}: ${violation.folders.join(', ')}`);
        for (const edge of violation.imports) {
          const [first] = edge.imports;
          const more = edge.imports.length > 1 ? ` (and ${edge.imports.length - 1} more)` : '';
          lines.push(`      ${edge.from} → ${edge.to}: ${first.from} imports ${first.to}${more}`);
        }
      } else if (violation.cycle) {
        lines.push(`  - ${violation.cycle.map(shortName).join(' → ')}`);
      } else {
        lines.push(`  - ${violation.from} → ${shortName(violation.to)}`);
      }
    }
    lines.push('');
  }
  const checked = `${modules} modules and ${imports} imports checked`;
  if (violations.length === 0) {
    lines.push(`depcheck: no dependency rule violated (${checked}).`);
  } else {
    const counts = [...byRule].map(([rule, list]) => `${rule} ${list.length}`).join(', ');
    lines.push(
      `depcheck: ${violations.length} violation${violations.length === 1 ? '' : 's'} (${counts}); ${checked}.`,
    );
    lines.push('The layers and the reasons for them: docs/architecture.md, "Layers".');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * An npm package by its name instead of its path under node_modules.
 *
 * @param {string} path
 * @returns {string}
 */
function shortName(path) {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  return match ? `${match[1]} (npm)` : path;
}
