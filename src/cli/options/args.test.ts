import { describe, expect, it } from 'vitest';
import { formatCommandHelp, parseCommandLine, UsageError, type CommandSpec } from './args.js';

const run: CommandSpec = {
  name: 'run',
  summary: 'Run an application.',
  positionals: [
    { name: 'BUNDLE', description: 'The bundle.', required: true },
    { name: 'ARGS', description: 'Arguments of main().', rest: true },
  ],
  options: [
    {
      name: 'controlplane',
      type: 'string',
      description: 'Control plane.',
      default: '127.0.0.1:6180',
      env: 'FLOTILLA_CONTROLPLANE',
    },
    { name: 'driver', aliases: ['-D'], type: 'boolean', description: 'Driver mode.' },
    { name: 'driver-heap-memory', aliases: ['-Dhm', '--driverheapmemory'], type: 'number', description: 'Heap MB.' },
    { name: 'parallelism', aliases: ['-p'], type: 'number', description: 'Parallelism.' },
    { name: 'property', type: 'properties', prefix: '-D', description: 'A dynamic property.' },
  ],
};

describe('parseCommandLine', () => {
  it('reads long, aliased and = forms, and leaves program arguments untouched', () => {
    const parsed = parseCommandLine(
      run,
      ['-D', '-Dhm', '64', '--parallelism=3', 'bundle.tgz', '--top', '5', '-p', '9'],
      {},
    );
    expect(parsed.options).toMatchObject({
      driver: true,
      'driver-heap-memory': 64,
      parallelism: 3,
      controlplane: '127.0.0.1:6180',
    });
    expect(parsed.positionals).toEqual(['bundle.tgz', '--top', '5', '-p', '9']);
  });

  it('collects a list option given several times, in order, and gives an empty list when it is absent', () => {
    const serve: CommandSpec = {
      name: 'serve',
      summary: 'Serve.',
      positionals: [],
      options: [{ name: 'peer', type: 'list', valueName: 'HOST:PORT', description: 'A peer.' }],
    };
    expect(parseCommandLine(serve, ['--peer', 'a:1', '--peer=b:2'], {}).options.peer).toEqual(['a:1', 'b:2']);
    expect(parseCommandLine(serve, [], {}).options.peer).toEqual([]);
    expect(formatCommandHelp(serve)).toContain('--peer HOST:PORT');
    expect(formatCommandHelp(serve)).toContain('A peer. (repeatable)');
  });

  it('takes a value from the environment when the option is absent, and prefers the option', () => {
    expect(parseCommandLine(run, ['b'], { FLOTILLA_CONTROLPLANE: '10.0.0.1:1' }).options.controlplane).toBe(
      '10.0.0.1:1',
    );
    expect(
      parseCommandLine(run, ['--controlplane', 'h:2', 'b'], { FLOTILLA_CONTROLPLANE: '10.0.0.1:1' }).options
        .controlplane,
    ).toBe('h:2');
  });

  it('refuses unknown options, missing values, bad numbers and missing positionals with a usage message', () => {
    expect(() => parseCommandLine(run, ['--nope', 'b'], {})).toThrow(/unknown option --nope for "flotilla run"/);
    expect(() => parseCommandLine(run, ['b', '-p'], {})).not.toThrow();
    expect(() => parseCommandLine(run, ['-p'], {})).toThrow(/-p needs a value/);
    expect(() => parseCommandLine(run, ['-p', 'many', 'b'], {})).toThrow(/-p expects a number, got "many"/);
    expect(() => parseCommandLine(run, [], {})).toThrow(UsageError);
    expect(() => parseCommandLine(run, [], {})).toThrow(/missing BUNDLE/);
    expect(() => parseCommandLine(run, ['--driver=yes', 'b'], {})).toThrow(/--driver takes no value/);
  });

  it('tells -D (driver mode), -Dhm (an alias) and -Dkey=value (a property) apart', () => {
    const parsed = parseCommandLine(run, ['-D', '-Dhm=64', '-Dstate.backend=memory', '-Dx=a=b', 'b'], {});
    expect(parsed.options).toMatchObject({
      driver: true,
      'driver-heap-memory': 64,
      property: { 'state.backend': 'memory', x: 'a=b' },
    });
    expect(() => parseCommandLine(run, ['-D=1', 'b'], {})).toThrow(/-D takes no value/);
    expect(() => parseCommandLine(run, ['-D=x', 'b'], {})).toThrow(UsageError);
  });

  it('collects a list option given again and again, in order, and gives an empty list when it is absent', () => {
    const serve: CommandSpec = {
      name: 'serve',
      summary: 's',
      positionals: [],
      options: [{ name: 'root', type: 'list', valueName: 'DIR', description: 'A root.' }],
    };
    expect(parseCommandLine(serve, ['--root', '/a', '--root=/b', '--root', '/a'], {}).options.root).toEqual([
      '/a',
      '/b',
      '/a',
    ]);
    expect(parseCommandLine(serve, [], {}).options.root).toEqual([]);
    expect(() => parseCommandLine(serve, ['--root'], {})).toThrow(/--root needs a value \(DIR\)/);
    expect(formatCommandHelp(serve)).toContain('--root DIR                      A root. (repeatable)');
  });

  it('treats -- as the end of options', () => {
    expect(parseCommandLine(run, ['--', '-weird-name.tgz', 'x'], {}).positionals).toEqual(['-weird-name.tgz', 'x']);
  });

  it('refuses extra positionals when the command takes no rest', () => {
    const upload: CommandSpec = {
      name: 'upload',
      summary: 's',
      options: [],
      positionals: [{ name: 'PATH', description: 'p', required: true }],
    };
    expect(() => parseCommandLine(upload, ['a', 'b'], {})).toThrow(/unexpected argument "b"/);
  });

  it('notices --help anywhere before the program arguments without demanding the rest', () => {
    expect(parseCommandLine(run, ['--help'], {}).help).toBe(true);
  });
});

describe('formatCommandHelp', () => {
  it('lists every spelling, default and environment variable', () => {
    const help = formatCommandHelp(run);
    expect(help).toContain('Usage: flotilla run [options] BUNDLE [ARGS...]');
    expect(help).toContain('--driver-heap-memory, -Dhm, --driverheapmemory NUMBER');
    expect(help).toContain('default: 127.0.0.1:6180; env: FLOTILLA_CONTROLPLANE');
  });
});
