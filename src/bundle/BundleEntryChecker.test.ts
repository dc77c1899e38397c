import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../common/errors.js';
import { BundleEntryChecker, type BundleEntry } from './BundleEntryChecker.js';

const LIMITS = { maxEntries: 10, maxUnpackedBytes: 100 };

/** Runs the checker over `entries` and returns its message, or "ok". */
function check(entries: Array<Partial<BundleEntry> & { path: string }>, limits = LIMITS): string {
  const checker = new BundleEntryChecker(limits);
  try {
    for (const entry of entries) checker.add({ type: 'File', size: 0, ...entry });
    checker.finish();
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
}

describe('BundleEntryChecker', () => {
  it('accepts files, folders, relative links inside the bundle and hard links to earlier files', () => {
    expect(
      check([
        { path: './', type: 'Directory' },
        { path: 'package.json', size: 10 },
        { path: 'node_modules/dep/cli.js', size: 10 },
        { path: 'node_modules/.bin/dep', type: 'SymbolicLink', linkpath: '../dep/cli.js' },
        { path: 'node_modules/dep', type: 'Directory' },
        { path: 'copy.js', type: 'Link', linkpath: 'node_modules/dep/cli.js' },
        { path: 'workspace', type: 'SymbolicLink', linkpath: 'node_modules/dep' },
        { path: 'through', type: 'SymbolicLink', linkpath: 'workspace/cli.js' },
      ]),
    ).toBe('ok');
  });

  it.each([
    ['a path with ..', [{ path: '../evil' }], /entry "\.\.\/evil" climbs out of the bundle folder/],
    ['a .. in the middle', [{ path: 'a/../../evil' }], /entry "a\/\.\.\/\.\.\/evil" climbs out/],
    ['an absolute path', [{ path: '/etc/cron.d/evil' }], /entry "\/etc\/cron\.d\/evil" has an absolute path/],
    ['a backslash', [{ path: '..\\evil' }], /entry "\.\.\\evil" contains "\\"/],
    [
      'a link to an absolute path',
      [{ path: 'etc', type: 'SymbolicLink', linkpath: '/etc' }],
      /symbolic link "etc" points to "\/etc", outside the bundle/,
    ],
    [
      'a link that climbs out',
      [{ path: 'a/up', type: 'SymbolicLink', linkpath: '../../x' }],
      /symbolic link "a\/up" points to "\.\.\/\.\.\/x", outside/,
    ],
    [
      'a hard link out',
      [{ path: 'h', type: 'Link', linkpath: '../../etc/passwd' }],
      /hard link "h" points to "\.\.\/\.\.\/etc\/passwd", outside/,
    ],
    [
      'a hard link to an absolute path',
      [{ path: 'h', type: 'Link', linkpath: '/etc/passwd' }],
      /hard link "h" points to "\/etc\/passwd", outside/,
    ],
    [
      'a hard link to a link',
      [
        { path: 'l', type: 'SymbolicLink', linkpath: 'x' },
        { path: 'h', type: 'Link', linkpath: 'l' },
      ],
      /hard link "h" points to "l", which is not a file earlier/,
    ],
    [
      'a character device',
      [{ path: 'null', type: 'CharacterDevice' }],
      /entry "null" is a character device; a bundle may hold only files, folders and links/,
    ],
    ['a setuid file', [{ path: 'bin/sh', mode: 0o4755 }], /entry "bin\/sh" is a setuid or setgid file/],
    ['a FIFO', [{ path: 'pipe', type: 'FIFO' }], /entry "pipe" is a named pipe/],
    [
      'a path through a link',
      [{ path: 's', type: 'SymbolicLink', linkpath: 'sub' }, { path: 's/x' }],
      /entry "s\/x" goes through the symbolic link "s"/,
    ],
    [
      'a link replacing a folder',
      [{ path: 'd/f' }, { path: 'd', type: 'SymbolicLink', linkpath: '.' }],
      /entry "d" would replace a folder/,
    ],
    ['a duplicate file', [{ path: 'f' }, { path: 'f' }], /entry "f" appears twice/],
    [
      'a link that climbs after passing a link',
      [
        { path: 's', type: 'SymbolicLink', linkpath: '.' },
        { path: 't', type: 'SymbolicLink', linkpath: 's/..' },
      ],
      /symbolic link "t" points to "s\/\.\.", which climbs \(\.\.\) after passing through the symbolic link "s"/,
    ],
  ] as const)('refuses %s, naming the entry', (_name, entries, message) => {
    expect(check([...entries])).toMatch(message);
  });

  it('refuses more entries than the limit', () => {
    const entries = Array.from({ length: 11 }, (_, index) => ({ path: `f${index}` }));
    expect(check(entries)).toMatch(/more than 10 entries \(maxEntries\); "f10" is one too many/);
  });

  it('refuses more unpacked bytes than the limit, naming the entry that passed it', () => {
    expect(
      check([
        { path: 'a', size: 60 },
        { path: 'b', size: 60 },
      ]),
    ).toMatch(/more than 100 bytes unpacked \(maxUnpackedBytes\), reached at "b"/);
  });
});
