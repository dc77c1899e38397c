import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { callSiteFromFrames, findCallSite, parseStackFrames } from './findCallSite.js';

const FIND_CALL_SITE_FILE = fileURLToPath(new URL('./findCallSite.ts', import.meta.url));
const THIS_FILE = fileURLToPath(import.meta.url);

describe('parseStackFrames', () => {
  it('reads named, anonymous, async and constructor frames with paths or file URLs', () => {
    const stack = [
      'Error',
      '    at findCallSite (file:///app/src/api/functions/findCallSite.js:40:18)',
      '    at DataStream.map (/app/src/api/DataStream.js:12:5)',
      '    at async Promise.all (index 0)',
      '    at new Pipeline (file:///bundle/a%20b/main.js:7:3)',
      '    at file:///bundle/main.js:30:1',
      '    at eval (eval at run (file:///x.js:1:1), <anonymous>:1:1)',
      '    at node:internal/modules/esm/module_job:195:25',
      '    at Object.<anonymous> [as run] (/bundle/cjs.js:2:9)',
    ].join('\n');
    expect(parseStackFrames(stack)).toEqual([
      { functionName: 'findCallSite', file: '/app/src/api/functions/findCallSite.js', line: 40, column: 18 },
      { functionName: 'DataStream.map', file: '/app/src/api/DataStream.js', line: 12, column: 5 },
      { functionName: 'Pipeline', file: '/bundle/a b/main.js', line: 7, column: 3 },
      { functionName: undefined, file: '/bundle/main.js', line: 30, column: 1 },
      { functionName: 'Object.<anonymous>', file: '/bundle/cjs.js', line: 2, column: 9 },
    ]);
  });
});

describe('findCallSite', () => {
  it('returns the first frame outside the skipped prefix and the API function called there', () => {
    const api = {
      map(): ReturnType<typeof findCallSite> {
        return findCallSite(FIND_CALL_SITE_FILE);
      },
    };
    const site = api.map();
    expect(site?.file).toBe(THIS_FILE);
    expect(site?.line).toBeGreaterThan(1);
    expect(findCallSite([FIND_CALL_SITE_FILE, THIS_FILE])?.file).not.toBe(THIS_FILE);
  });

  it('names the API function from the last skipped frame', () => {
    const frames = parseStackFrames(
      [
        '    at captureUserFunction (/app/src/api/functions/captureUserFunction.js:50:7)',
        '    at StreamContext.capture (/app/src/api/StreamContext.js:20:3)',
        '    at DataStream.map (/app/src/api/DataStream.js:12:5)',
        '    at main (file:///bundle/main.js:30:8)',
      ].join('\n'),
    );
    expect(callSiteFromFrames(frames, ['/app/src/api/'])).toEqual({
      file: '/bundle/main.js',
      line: 30,
      column: 8,
      apiFunction: 'map',
    });
    expect(callSiteFromFrames(frames, ['/app/', '/bundle/'])).toBeUndefined();
  });
});
