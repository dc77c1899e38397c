/**
 * `flotilla completion bash|zsh` in the real shells: the printed function, loaded as a user would,
 * asks the built CLI for candidates and offers verbs, actions and options.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/tempDir.js';
import { FLOTILLA_BIN } from './support/processes.js';

/** A folder with a `flotilla` on it that runs the built CLI, as an installed one would be on PATH. */
function pathWithFlotilla(): string {
  const bin = tempDir('flotilla-completion-');
  const shim = join(bin, 'flotilla');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${FLOTILLA_BIN}" "$@"\n`);
  chmodSync(shim, 0o755);
  return `${bin}:${process.env.PATH}`;
}

function shell(program: 'bash' | 'zsh', script: string): string[] {
  const out = execFileSync(program, ['-c', script], {
    env: { ...process.env, PATH: pathWithFlotilla() },
    encoding: 'utf8',
  });
  return out.split('\n').filter(Boolean);
}

describe('shell completion', () => {
  it('bash: verbs, the actions of cluster, and the options of run', () => {
    const complete = (words: string, cword: number) =>
      shell(
        'bash',
        `source <(flotilla completion bash); COMP_WORDS=(${words}); COMP_CWORD=${cword}; _flotilla; printf '%s\\n' "\${COMPREPLY[@]}"`,
      );
    expect(complete('flotilla clu', 1)).toEqual(['cluster']);
    expect(complete("flotilla cluster ''", 2)).toEqual(['list', 'start', 'stop']);
    const options = complete('flotilla run --de', 2);
    expect(options).toContain('--detached');
    expect(options.every((option) => option.startsWith('--de'))).toBe(true);
    expect(complete('flotilla run ./bundle', 2)).toEqual([]);
  });

  it('zsh: the same candidates through compadd, file names where the CLI has none', () => {
    const complete = (words: string, current: number) =>
      shell(
        'zsh',
        [
          'compdef() { :; }',
          'compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }',
          '_files() { print -- FILES; }',
          'source <(flotilla completion zsh)',
          `words=(${words}); CURRENT=${current}; _flotilla`,
        ].join('\n'),
      );
    expect(complete('flotilla clu', 2)).toEqual(['cluster']);
    expect(complete("flotilla cluster ''", 3)).toEqual(['list', 'start', 'stop']);
    expect(complete('flotilla run --de', 3)).toContain('--detached');
    expect(complete('flotilla run ./bundle', 3)).toEqual(['FILES']);
  });

  it('refuses a shell it has no function for, saying which it has', () => {
    expect(() => execFileSync(process.execPath, [FLOTILLA_BIN, 'completion', 'fish'], { stdio: 'pipe' })).toThrow(
      /SHELL must be bash or zsh, not "fish"/,
    );
  });
});
