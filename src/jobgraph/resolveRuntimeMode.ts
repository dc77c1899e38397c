/**
 * Resolves AUTOMATIC (see RuntimeExecutionMode.ts) for one job from its sources, when its graph is
 * built. Apart from RuntimeExecutionMode.ts because it reads the graph's operators, and jobGraph.ts
 * names the resolved mode: so the graph and the mode do not import each other.
 */
import type { OperatorSpec } from './jobGraph.js';
import type { ResolvedRuntimeMode, RuntimeExecutionMode } from './RuntimeExecutionMode.js';

/** Whether a source operator's input ends. Every source Flotilla has today reads a bounded input. */
export function isBoundedSource(operator: OperatorSpec): boolean {
  switch (operator.kind) {
    case 'collectionSource':
    case 'textFileSource':
    case 'sequenceSource':
      return true;
    default:
      return false;
  }
}

/** `mode` with AUTOMATIC resolved for a job whose sources are `sources`: BATCH exactly when all are bounded. */
export function resolveRuntimeMode(mode: RuntimeExecutionMode, sources: readonly OperatorSpec[]): ResolvedRuntimeMode {
  if (mode !== 'AUTOMATIC') return mode;
  return sources.every(isBoundedSource) ? 'BATCH' : 'STREAMING';
}
