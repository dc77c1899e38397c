/**
 * Finds where user code called into the API, from a stack trace. A function passed to `.map(fn)`
 * belongs to the module that called `.map`, and error messages should point at that line; the API's
 * own frames (DataStream, the environment, capture itself) all live under one folder, so the first
 * frame outside it is the user's.
 */
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A place in user code. */
export interface CallSite {
  /** The absolute path of the file. */
  file: string;
  /** The 1-based line. */
  line: number;
  /** The 1-based column, when known. */
  column?: number;
  /** The name of the API function the user called there (`map` for `DataStream.map`), when the stack shows it. */
  apiFunction?: string;
}

/** One parsed line of a V8 stack trace. */
export interface StackFrame {
  /** The function's name as V8 prints it (`DataStream.map`), if any. */
  functionName: string | undefined;
  /** The absolute path of the file. */
  file: string;
  /** The 1-based line. */
  line: number;
  /** The 1-based column. */
  column: number;
}

const FRAME = /^\s*at (?:async )?(?:(.*?) \()?(.+):(\d+):(\d+)\)?$/;
const MAX_FRAMES = 64;

/**
 * Returns the first stack frame of the current call whose file does not start with any of the
 * given prefixes (absolute paths, typically the API's source folder ending in a separator), or
 * `undefined` when every frame is skipped or none has a file. Frames of Node's internals and of
 * `eval` code are always skipped.
 */
export function findCallSite(skipPathPrefix: string | readonly string[]): CallSite | undefined {
  return callSiteFromFrames(captureFrames(), typeof skipPathPrefix === 'string' ? [skipPathPrefix] : skipPathPrefix);
}

/**
 * Returns the first of `frames` (innermost first) whose file starts with none of `prefixes`, with
 * the API function named by the frame just inside it (`DataStream.map` gives `map`).
 */
export function callSiteFromFrames(frames: readonly StackFrame[], prefixes: readonly string[]): CallSite | undefined {
  let previous: StackFrame | undefined;
  for (const frame of frames) {
    if (prefixes.some((prefix) => frame.file.startsWith(prefix))) {
      previous = frame;
      continue;
    }
    const name = previous?.functionName?.split('.').at(-1);
    const apiFunction = name !== undefined && /^[A-Za-z_$][\w$]*$/.test(name) ? name : undefined;
    return { file: frame.file, line: frame.line, column: frame.column, ...(apiFunction ? { apiFunction } : {}) };
  }
  return undefined;
}

/** Parses the frames of a V8 stack trace, keeping those with a file on disk (not Node's internals, not eval code). */
export function parseStackFrames(stack: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const text of stack.split('\n')) {
    if (text.includes('eval at ')) continue;
    const match = FRAME.exec(text);
    if (match === null) continue;
    const [, functionName, location = '', line = '0', column = '0'] = match;
    const file = toPath(location);
    if (file === undefined) continue;
    frames.push({
      functionName: functionName?.replace(/^new /, '').replace(/ \[as .*\]$/, ''),
      file,
      line: Number(line),
      column: Number(column),
    });
  }
  return frames;
}

function captureFrames(): StackFrame[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = MAX_FRAMES;
  try {
    return parseStackFrames(new Error().stack ?? '');
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function toPath(location: string): string | undefined {
  if (location.startsWith('file://')) {
    try {
      return fileURLToPath(location);
    } catch {
      return undefined;
    }
  }
  return isAbsolute(location) ? location : undefined;
}
