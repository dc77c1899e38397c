/**
 * The one place that knows how Flotilla reads JavaScript. Capture (on the driver) and load (on a
 * task executor) must read a user's code the same way, so both parse with acorn here (latest
 * syntax, with the locations error messages need and the ranges eslint-scope needs) and run
 * eslint-scope with the same settings.
 */
import { parse, type Program } from 'acorn';
import { analyze, type ScopeManager } from 'eslint-scope';
import { KEYS } from 'eslint-visitor-keys';

/** How a text was parsed: as an ES module (strict, may import) or as a classic script. */
export type SourceType = 'module' | 'script';

/** A parsed text and the way it was parsed. */
export interface ParsedProgram {
  /** The acorn AST, with `loc` and `range` on every node. */
  program: Program;
  /** Whether the text parsed as a module or only as a script. */
  sourceType: SourceType;
}

/** Parses `text` as the given source type; throws acorn's `SyntaxError` when it does not parse. */
export function parseProgram(text: string, sourceType: SourceType): ParsedProgram {
  const program = parse(text, {
    ecmaVersion: 'latest',
    sourceType,
    locations: true,
    ranges: true,
    allowHashBang: true,
  });
  return { program, sourceType };
}

/**
 * Parses `text` as a module and, when that fails, as a script, so CommonJS and sloppy-mode code
 * still parses; throws the module parse's error when neither works, since bundles are ESM.
 */
export function parseModuleOrScript(text: string): ParsedProgram {
  try {
    return parseProgram(text, 'module');
  } catch (moduleError) {
    try {
      return parseProgram(text, 'script');
    } catch {
      throw moduleError;
    }
  }
}

/** Runs eslint-scope's scope analysis on a parsed program. */
export function analyzeScopes(parsed: ParsedProgram): ScopeManager {
  return analyze(parsed.program as unknown as Parameters<typeof analyze>[0], {
    ecmaVersion: 2025,
    sourceType: parsed.sourceType,
    childVisitorKeys: KEYS,
    fallback: 'iteration',
  });
}
