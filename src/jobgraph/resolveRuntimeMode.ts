/**
 * AUTOMATIC resolved when a job graph is built: BATCH when every source of the job reads a bounded
 * input, STREAMING otherwise (see RuntimeExecutionMode.ts). It lives apart from the modes because it
 * reads the job graph's operators while the job graph names the resolved mode: in one module they
 * would import each other.
 */
import type { OperatorSpec } from './jobGraph.js';
import type { ResolvedRuntimeMode, RuntimeExecutionMode } from './RuntimeExecutionMode.js';

/**
 * Whether a source operator's input ends: collections, sequences, files read once and generators
 * with a count do; a watched folder, a generator without a count and a JetStream stream do not.
 */
export function isBoundedSource(operator: OperatorSpec): boolean {
  switch (operator.kind) {
    case 'collectionSource':
    case 'sequenceSource':
      return true;
    case 'textFileSource':
      return !(operator.monitorIntervalMs !== undefined && operator.monitorIntervalMs > 0);
    case 'generatorSource':
      return operator.count !== undefined;
    default:
      return false;
  }
}

/** `mode` with AUTOMATIC resolved for a job whose sources are `sources`: BATCH exactly when all are bounded. */
export function resolveRuntimeMode(mode: RuntimeExecutionMode, sources: readonly OperatorSpec[]): ResolvedRuntimeMode {
  if (mode !== 'AUTOMATIC') return mode;
  return sources.every(isBoundedSource) ? 'BATCH' : 'STREAMING';
}
