import { describe, expect, it } from 'vitest';
import type { CommandSpec } from '../options/args.js';
import { completeWords } from './completeWords.js';

const specs: CommandSpec[] = [
  {
    name: 'run',
    summary: 'Run',
    positionals: [{ name: 'BUNDLE', description: 'b', required: true }],
    options: [
      { name: 'detached', aliases: ['-d'], type: 'boolean', description: 'd' },
      { name: 'target', aliases: ['-t'], type: 'string', description: 't' },
      { name: 'dynamic', aliases: ['-D'], type: 'properties', prefix: '-D', description: 'p' },
    ],
  },
  {
    name: 'cluster start',
    summary: 's',
    positionals: [],
    options: [{ name: 'slots', type: 'number', description: 's' }],
  },
  { name: 'cluster stop', summary: 's', positionals: [], options: [] },
];

describe('completeWords', () => {
  it('completes verbs, then the action of a two-word verb', () => {
    expect(completeWords(specs, [''])).toEqual(['cluster', 'run']);
    expect(completeWords(specs, ['cl'])).toEqual(['cluster']);
    expect(completeWords(specs, ['cluster', ''])).toEqual(['start', 'stop']);
    expect(completeWords(specs, ['cluster', 'sta'])).toEqual(['start']);
  });

  it("completes a verb's options after a dash, with --help, and not a prefix-only spelling", () => {
    expect(completeWords(specs, ['run', '--'])).toEqual(['--detached', '--dynamic', '--help', '--target']);
    expect(completeWords(specs, ['run', '-'])).toContain('-d');
    expect(completeWords(specs, ['run', '-'])).not.toContain('-D');
    expect(completeWords(specs, ['cluster', 'start', '--s'])).toEqual(['--slots']);
  });

  it('leaves values and paths to the shell: nothing after an option that takes a value, or where a positional goes', () => {
    expect(completeWords(specs, ['run', '--target', ''])).toEqual([]);
    expect(completeWords(specs, ['run', '--detached', ''])).toEqual([]);
    expect(completeWords(specs, ['run', './bun'])).toEqual([]);
    expect(completeWords(specs, ['nonsense', '--'])).toEqual([]);
  });
});
