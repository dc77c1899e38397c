/**
 * Turns the text `Function.prototype.toString` gives into something that parses. Arrow functions
 * and `function` expressions parse as an expression once parenthesised; method shorthand
 * (`f(x) { ... }`, which is what `{ f(x) { } }.f` prints) only parses inside an object literal.
 * Capture and load both start here, so a function is read the same way on the driver and on a
 * worker; what cannot be shipped at all (native, bound, classes, accessors) is refused here.
 */
import type { ArrowFunctionExpression, Expression, FunctionExpression, Program } from 'acorn';
import { parseProgram, type ParsedProgram } from './parseProgram.js';
import { UnsupportedFunctionError } from './UnsupportedFunctionError.js';

/** The syntactic shape of a shipped function. */
export type FunctionKind = 'arrow' | 'function' | 'method';

/** A function's source, parsed. */
export interface ParsedFunctionSource {
  /** The source text as given. */
  source: string;
  /** Its shape. */
  kind: FunctionKind;
  /** The wrapper program that made the source parse. */
  parsed: ParsedProgram;
  /** The function node inside the wrapper. */
  node: ArrowFunctionExpression | FunctionExpression;
  /** Lines the wrapper adds before the source's first line (a reference on wrapper line n is on source line n - lineOffset). */
  lineOffset: number;
  /**
   * An expression that evaluates to the function: the source itself, or for a method the same
   * parameters and body as an anonymous `function` (a method's computed key needs no evaluating).
   */
  expression: string;
}

const NATIVE_CODE = /\{\s*\[native code\]\s*\}\s*$/;

/**
 * Parses a function's source; `describe` names the function in error messages (for instance
 * `the function passed to map at main.js:12`).
 *
 * @throws UnsupportedFunctionError for native and bound functions, classes, getters and setters,
 *   and text that does not parse as a function.
 */
export function parseFunctionSource(source: string, describe: string): ParsedFunctionSource {
  if (NATIVE_CODE.test(source)) {
    throw new UnsupportedFunctionError(
      `${describe} is a native or bound function, whose source is not available; ` +
        'pass a function written in the bundle (an arrow function or a function expression) instead',
    );
  }
  const asExpression = tryParse(`(\n${source}\n)`);
  const expression = asExpression === undefined ? undefined : singleExpression(asExpression.program);
  if (expression?.type === 'ClassExpression') {
    throw new UnsupportedFunctionError(
      `${describe} is a class; pass a function that creates or uses instances instead`,
    );
  }
  if (
    asExpression !== undefined &&
    (expression?.type === 'ArrowFunctionExpression' || expression?.type === 'FunctionExpression')
  ) {
    const kind = expression.type === 'ArrowFunctionExpression' ? 'arrow' : 'function';
    return { source, kind, parsed: asExpression, node: expression, lineOffset: 1, expression: source };
  }
  const wrapper = `({\n${source}\n})`;
  const asMethod = tryParse(wrapper);
  const object = asMethod === undefined ? undefined : singleExpression(asMethod.program);
  const property =
    object?.type === 'ObjectExpression' && object.properties.length === 1 ? object.properties[0] : undefined;
  if (asMethod !== undefined && property?.type === 'Property' && property.value.type === 'FunctionExpression') {
    if (property.kind !== 'init') {
      throw new UnsupportedFunctionError(`${describe} is a ${property.kind}ter; pass an ordinary function instead`);
    }
    if (property.method) {
      const node = property.value;
      const head = `${node.async ? 'async ' : ''}function${node.generator ? '*' : ''} `;
      return {
        source,
        kind: 'method',
        parsed: asMethod,
        node,
        lineOffset: 1,
        expression: head + wrapper.slice(node.start, node.end),
      };
    }
  }
  throw new UnsupportedFunctionError(
    `${describe} cannot be shipped: its source does not parse as a function (${truncate(source)})`,
  );
}

function tryParse(text: string): ParsedProgram | undefined {
  for (const sourceType of ['module', 'script'] as const) {
    try {
      return parseProgram(text, sourceType);
    } catch {
      // Try the next source type; a function from a CommonJS file may be sloppy-mode code.
    }
  }
  return undefined;
}

function singleExpression(program: Program): Expression | undefined {
  const [statement, ...rest] = program.body;
  return rest.length === 0 && statement?.type === 'ExpressionStatement' ? statement.expression : undefined;
}

function truncate(source: string): string {
  const oneLine = source.replace(/\s+/g, ' ');
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine;
}
