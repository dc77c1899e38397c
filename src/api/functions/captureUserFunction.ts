/**
 * Captures a function written in the user's `main()` so it can be shipped to task executors: its
 * source, the bundle module that defines it, the line it starts on and the values passed to it
 * explicitly. It is also where the rule for such functions is enforced, while the job is built: a
 * function may use globals, its module's imports and exports and values passed explicitly, and one
 * that captures anything else is refused with a {@link CapturedVariableError} naming each variable
 * and line, instead of failing with a `ReferenceError` on a worker.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '../../common/errors.js';
import type { UserFunctionSpec } from '../../jobgraph/jobGraph.js';
import { CapturedVariableError, type CapturedVariable } from './CapturedVariableError.js';
import { classifyFreeVariable } from './classifyFreeVariable.js';
import { contextReferences } from './contextReferences.js';
import { findCallSite, type CallSite } from './findCallSite.js';
import { freeVariables } from './freeVariables.js';
import { locateFunction } from './locateFunction.js';
import { analyzeScopes } from './parseProgram.js';
import { parseFunctionSource } from './parseFunctionSource.js';
import { readModule, type ModuleInfo } from './readModule.js';
import { serializeBoundValues } from './serializeBoundValues.js';
import { UnsupportedFunctionError } from './UnsupportedFunctionError.js';

/** Options of {@link captureUserFunction}. */
export interface CaptureOptions {
  /** Values the function may use by name on a worker; they must be plain JSON data. */
  bound?: Record<string, unknown>;
  /**
   * Where the user passed the function (an absolute path or `file:` URL, and a 1-based line). Its
   * file is taken as the function's defining module. When absent it is read from the stack: the
   * first frame outside the API's folder (`src/api/`, or `dist/src/api/` when built).
   */
  callSite?: CallSite;
  /**
   * The root folder of the bundle. The spec's `module` is the path of the defining module relative
   * to it, with `/` separators; when absent, or when the module lies outside it, `module` is the
   * absolute path of the file, which a task executor can only load if it sees the same file.
   */
  bundleRoot?: string;
  /** The API method the function is passed to (`map`), for messages; read from the stack when absent. */
  operator?: string;
}

/** The API's source folder: frames inside it are the API's own, not the user's. */
const API_FOLDER = fileURLToPath(new URL('../', import.meta.url));

/**
 * Captures `fn` for shipping to task executors.
 *
 * @throws CapturedVariableError when `fn` uses variables that will not exist on a worker.
 * @throws BoundValueError when a bound value is not plain JSON data or its key is not a name.
 * @throws UnsupportedFunctionError when `fn` is native, bound, a class or an accessor, or its
 *   module cannot be read.
 * @throws InvalidArgumentError when `fn` is not a function or no call site can be found.
 */
export function captureUserFunction(fn: unknown, options: CaptureOptions = {}): UserFunctionSpec {
  if (typeof fn !== 'function')
    throw new InvalidArgumentError(`expected a function, got ${fn === null ? 'null' : typeof fn}`);
  const callSite = options.callSite ?? findCallSite(API_FOLDER);
  if (callSite === undefined) {
    throw new InvalidArgumentError(
      'cannot tell which module passed the function: no caller outside the API on the stack; pass options.callSite',
    );
  }
  const file = callSite.file.startsWith('file:') ? fileURLToPath(callSite.file) : callSite.file;
  const module = moduleName(file, options.bundleRoot);
  const at = (line: number): string => `${module}:${line}`;
  const operator = options.operator ?? callSite.apiFunction;
  const describe =
    operator === undefined
      ? `the function at ${at(callSite.line)}`
      : `the function passed to ${operator} at ${at(callSite.line)}`;

  const source = Function.prototype.toString.call(fn);
  const parsedFunction = parseFunctionSource(source, describe);
  const boundValuesJson = serializeBoundValues(options.bound, describe);
  const info = readDefiningModule(file, describe);
  const located = locateFunction(info, source, parsedFunction.kind, callSite.line);

  // Found in its module, the function is analysed there, so every name resolves to its real
  // declaration; otherwise only its own text is analysed and lines are counted from the call site.
  const node = located?.node ?? parsedFunction.node;
  const scopes = located ? info.scopes() : analyzeScopes(parsedFunction.parsed);
  const line = located?.line ?? callSite.line;
  const moduleLine = located ? (l: number) => l : (l: number) => callSite.line + l - 1 - parsedFunction.lineOffset;
  const context = {
    bindings: info.bindings,
    bound: new Set(Object.keys(options.bound ?? {})),
    located: located !== undefined,
    at,
    moduleLine,
  };

  const captured: CapturedVariable[] = [];
  for (const variable of freeVariables(scopes, node)) {
    const capture = classifyFreeVariable(variable, context);
    if (capture !== undefined) captured.push(capture);
  }
  for (const reference of contextReferences(node)) {
    captured.push({ name: reference.name, kind: 'context', usedAt: at(moduleLine(reference.line)) });
  }
  if (captured.length > 0) {
    throw new CapturedVariableError({
      site: at(callSite.line),
      module,
      ...(operator ? { operator } : {}),
      variables: captured,
    });
  }
  return { source, module, line, boundValuesJson };
}

function moduleName(file: string, bundleRoot: string | undefined): string {
  if (bundleRoot === undefined) return file;
  const path = relative(bundleRoot, file);
  if (path === '' || path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path)) return file;
  return path.split(sep).join('/');
}

function readDefiningModule(file: string, describe: string): ModuleInfo {
  try {
    return readModule(file);
  } catch (error) {
    throw new UnsupportedFunctionError(
      `${describe} cannot be checked: its module ${file} cannot be read or parsed as JavaScript (${(error as Error).message})`,
      { cause: error },
    );
  }
}
