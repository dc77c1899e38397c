/**
 * Builds the runnable operators of a chain from their specs, loading the user functions they need.
 * Loading happens when a task opens, on the task executor, because that is where the functions'
 * modules and dependencies are.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import type { OperatorSpec, UserFunctionSpec } from '../../jobgraph/jobGraph.js';
import { createKeyedAggregation } from './createKeyedAggregation.js';
import { FilterOperator } from './FilterOperator.js';
import { FlatMapOperator } from './FlatMapOperator.js';
import type { FunctionLoader, UserFunction } from './FunctionLoader.js';
import { STREAMING_AGGREGATION, type KeyedAggregationMode } from './KeyedAggregationMode.js';
import { MapOperator } from './MapOperator.js';
import type { StreamOperator } from './StreamOperator.js';

/** The operators that transform records inside a chain (neither sources nor sinks). */
export type TransformSpec = Extract<OperatorSpec, { kind: 'map' | 'flatMap' | 'filter' | 'reduce' | 'sum' | 'count' }>;

const TRANSFORM_KINDS: ReadonlySet<string> = new Set<TransformSpec['kind']>([
  'map',
  'flatMap',
  'filter',
  'reduce',
  'sum',
  'count',
]);
const KEYED_KINDS: ReadonlySet<string> = new Set<TransformSpec['kind']>(['reduce', 'sum', 'count']);

/** Whether `spec` transforms records (as opposed to reading or writing them). */
export function isTransformSpec(spec: OperatorSpec): spec is TransformSpec {
  return TRANSFORM_KINDS.has(spec.kind);
}

/** Whether `spec` needs the key selector of its input edge. */
export function isKeyedSpec(spec: OperatorSpec): boolean {
  return KEYED_KINDS.has(spec.kind);
}

/**
 * The operators for `specs`, in order, with their functions loaded by `loader`. Keyed operators
 * (reduce, sum, count) all use `keySelector`, the key selector of the chain's input edge, loaded
 * once, and run as `mode` says (STREAMING on records unless given).
 *
 * @throws InvalidArgumentError when a spec is not a transformation, or a keyed operator has no key selector.
 * @throws whatever `loader` rejects with when a function cannot be loaded.
 */
export async function createStreamOperators(
  specs: OperatorSpec[],
  loader: FunctionLoader,
  keySelector?: UserFunctionSpec,
  mode: KeyedAggregationMode = STREAMING_AGGREGATION,
): Promise<StreamOperator[]> {
  let loadedKeySelector: UserFunction | undefined;
  const keySelectorFor = async (spec: OperatorSpec): Promise<UserFunction> => {
    if (!keySelector) {
      throw new InvalidArgumentError(
        `the keyed operator "${spec.name}" (${spec.kind}) needs the key selector of its input edge, and there is none`,
      );
    }
    loadedKeySelector ??= await loader(keySelector);
    return loadedKeySelector;
  };
  const operators: StreamOperator[] = [];
  for (const spec of specs) {
    switch (spec.kind) {
      case 'map':
        operators.push(new MapOperator(spec.name, await loader(spec.fn)));
        break;
      case 'flatMap':
        operators.push(new FlatMapOperator(spec.name, await loader(spec.fn)));
        break;
      case 'filter':
        operators.push(new FilterOperator(spec.name, await loader(spec.fn)));
        break;
      case 'reduce':
      case 'sum':
      case 'count':
        operators.push(await createKeyedAggregation(spec, await keySelectorFor(spec), loader, mode));
        break;
      default:
        throw new InvalidArgumentError(`operator "${spec.name}" of kind ${spec.kind} cannot run inside a chain`);
    }
  }
  return operators;
}
