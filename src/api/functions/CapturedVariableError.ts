/**
 * The error that enforces the rule for shipped functions: a function written in `main()` runs on
 * task executors, where only globals, its module's imports and exports and values passed explicitly
 * exist. One that reaches for anything else (a local of `main()`, a parameter of an enclosing
 * function, a module-level variable the module does not export, `this` of an enclosing scope) is
 * refused while the job is built, naming each such variable and the line that uses it, instead of
 * failing later with a `ReferenceError` on a worker.
 */
import { InvalidArgumentError } from '../../common/errors.js';

/** What a captured name is, which decides how the message describes it. */
export type CapturedVariableKind =
  'local' | 'parameter' | 'catchParameter' | 'moduleVariable' | 'enclosing' | 'undeclared' | 'context';

/** One name a function uses that will not exist on a task executor. */
export interface CapturedVariable {
  /** The name as written: an identifier, or `this`, `arguments`, `super`, `new.target`, `import.meta`. */
  name: string;
  /** What it is. */
  kind: CapturedVariableKind;
  /** Where the function uses it first, as `file:line`. */
  usedAt: string;
  /** Where it is declared, as `file:line`, when known. */
  declaredAt?: string;
  /** The enclosing function that declares it, e.g. `main()`, when known. */
  declaredIn?: string;
}

/** The facts the message is made of. */
export interface CapturedVariableErrorDetails {
  /** Where the function was passed, as `file:line`. */
  site: string;
  /** The module the function comes from, as shown in messages. */
  module: string;
  /** The API method the function was passed to (`map`), when known. */
  operator?: string;
  /** Every captured name, first use first. */
  variables: CapturedVariable[];
}

/** A user function captures variables that do not exist on task executors. */
export class CapturedVariableError extends InvalidArgumentError {
  override name = 'CapturedVariableError';

  /** Where the function was passed, as `file:line`. */
  readonly site: string;

  /** Every captured name with where it is used and declared. */
  readonly variables: readonly CapturedVariable[];

  /** Builds the message from the details; see {@link CapturedVariableErrorDetails}. */
  constructor(details: CapturedVariableErrorDetails) {
    super(formatMessage(details));
    this.site = details.site;
    this.variables = details.variables;
  }
}

function formatMessage({ site, module, operator, variables }: CapturedVariableErrorDetails): string {
  const target = operator === undefined ? `the function at ${site}` : `the function passed to ${operator} at ${site}`;
  const uses = variables.map((variable) => `"${variable.name}" (${variable.usedAt}), ${describe(variable, module)}`);
  const names = variables.filter((variable) => variable.kind !== 'context').map((variable) => variable.name);
  const hintValue = `{ with: { ${names.join(', ')} } }`;
  const hint =
    names.length === 0
      ? ''
      : operator === undefined
        ? `, e.g. pass ${hintValue} as its options`
        : `, e.g. .${operator}(fn, ${hintValue})`;
  return (
    `${target} uses ${joinAnd(uses)}; functions run on task executors and can only use globals, ` +
    `the module's imports and exports, and values passed explicitly${hint}`
  );
}

function describe(variable: CapturedVariable, module: string): string {
  const where = variable.declaredIn ?? 'an enclosing function';
  const declared = variable.declaredAt === undefined ? '' : ` declared at ${variable.declaredAt}`;
  switch (variable.kind) {
    case 'local':
      return `a local variable of ${where}${declared}`;
    case 'parameter':
      return `a parameter of ${where}${declared}`;
    case 'catchParameter':
      return `the error variable of a catch clause in ${where}${declared}`;
    case 'moduleVariable':
      return `a module-level variable that ${module} does not export${declared}`;
    case 'enclosing':
      return 'a variable of an enclosing scope (a local or parameter of an enclosing function)';
    case 'undeclared':
      return 'a name declared nowhere in the module and not a global of Node';
    case 'context':
      return variable.name === 'import.meta'
        ? 'the import.meta of the defining module, which does not exist on task executors'
        : `the ${variable.name} of the enclosing scope`;
  }
}

function joinAnd(items: string[]): string {
  // Each item has commas of its own, so the last one is set off with ", and".
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')}, and ${items[items.length - 1]}`;
}
