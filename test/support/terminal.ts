/**
 * Runs the CLI under a pseudo-terminal (util-linux `script`), so that its stdout and stderr are a
 * TTY as on a person's screen, and replays what it wrote the way a terminal draws it, to check
 * that progress lines drawn in place leave the printed lines whole.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOTILLA_BIN } from './processes.js';

/** The outcome of a CLI run in a terminal. */
export interface TerminalResult {
  code: number | null;
  /** Every byte the terminal received (stdout and stderr together), escapes included. */
  raw: string;
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `flotilla ...args` with its stdout and stderr on a pseudo-terminal 200 columns wide;
 * `redirect` is appended to the shell command (such as `> file` to send stdout elsewhere).
 */
export async function runCliInTerminal(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  redirect = '',
): Promise<TerminalResult> {
  const command = `stty cols 200; exec ${[process.execPath, FLOTILLA_BIN, ...args].map(quote).join(' ')} ${redirect}`;
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      FLOTILLA_CONFIG: join(tmpdir(), `flotilla-tests-no-client-config-${process.pid}`, 'config.json'),
      ...env,
    },
  });
  let raw = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (raw += text));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, raw };
}

/**
 * The lines a terminal shows after drawing `raw`: carriage returns go back to the line's start,
 * ESC [ K erases to its end, other text overwrites; other escapes are dropped.
 */
export function renderTerminal(raw: string): string[] {
  const lines: string[] = [];
  let line: string[] = [];
  let column = 0;
  for (let index = 0; index < raw.length; index++) {
    const char = raw[index]!;
    if (char === '\r') column = 0;
    else if (char === '\n') {
      lines.push(line.join(''));
      line = [];
      column = 0;
    } else if (char === '\x1b') {
      const escape = /^\x1b\[[0-9;?]*([A-Za-z])/.exec(raw.slice(index, index + 16));
      if (escape?.[1] === 'K') line = line.slice(0, column);
      index += (escape?.[0].length ?? 1) - 1;
    } else {
      line[column++] = char;
    }
  }
  if (line.length > 0) lines.push(line.join(''));
  return lines;
}
