import { describe, expect, it } from 'vitest';
import { parseDriverEntry } from './parseDriverEntry.js';

describe('parseDriverEntry', () => {
  it('reads module#export, #export, module and the empty entry, defaulting the export to main', () => {
    expect(parseDriverEntry('jobs/daily.js#run')).toEqual({ module: 'jobs/daily.js', exportName: 'run' });
    expect(parseDriverEntry('#run')).toEqual({ exportName: 'run' });
    expect(parseDriverEntry('jobs/daily.js')).toEqual({ module: 'jobs/daily.js', exportName: 'main' });
    expect(parseDriverEntry('jobs/daily.js#')).toEqual({ module: 'jobs/daily.js', exportName: 'main' });
    expect(parseDriverEntry('')).toEqual({ exportName: 'main' });
  });

  it('splits at the last #, so a folder name may contain one', () => {
    expect(parseDriverEntry('c#/main.js#start')).toEqual({ module: 'c#/main.js', exportName: 'start' });
  });
});
