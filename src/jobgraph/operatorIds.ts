/**
 * The ids under which operators' state is filed in checkpoints and savepoints (Flink's operator
 * uids): the id the user gave an operator with `.uid("…")`, else one generated from the
 * operator's kind and its place among the operators of that kind in the graph (`auto:count-1` for
 * the first keyed count, in topological and chain order). A generated id is the same for the same
 * graph, and stays the same when a new version adds or removes operators of other kinds (a
 * stateless map changes no count's id, even when it changes the chaining); a uid is the way to be
 * sure. Two operators with the same uid are refused.
 */
import { InvalidArgumentError } from '../common/errors.js';
import type { JobGraph, OperatorKind } from './jobGraph.js';

/** The prefix of generated operator ids; user uids may not start with it. */
export const GENERATED_UID_PREFIX = 'auto:';

/** Keyed aggregations: their state is per key and can be redistributed by key over another parallelism. */
const KEYED_KINDS: ReadonlySet<OperatorKind> = new Set(['reduce', 'sum', 'count']);

/** Whether an operator of `kind` keeps per-key state. */
export function isKeyedOperatorKind(kind: OperatorKind): boolean {
  return KEYED_KINDS.has(kind);
}

/**
 * `graph` with every operator's `uid` set: the user's, else a generated one.
 *
 * @throws InvalidArgumentError when two operators have the same uid, or a user uid starts with
 *   {@link GENERATED_UID_PREFIX}.
 */
export function withOperatorIds(graph: JobGraph): JobGraph {
  const seen = new Map<string, string>();
  const perKind = new Map<OperatorKind, number>();
  const vertices = graph.vertices.map((vertex) => ({
    ...vertex,
    operators: vertex.operators.map((operator) => {
      let uid = operator.uid;
      if (uid === undefined) {
        const n = (perKind.get(operator.kind) ?? 0) + 1;
        perKind.set(operator.kind, n);
        uid = `${GENERATED_UID_PREFIX}${operator.kind}-${n}`;
      } else if (uid.startsWith(GENERATED_UID_PREFIX)) {
        throw new InvalidArgumentError(
          `operator "${operator.name}" has the uid "${uid}": uids starting with "${GENERATED_UID_PREFIX}" are kept for generated ids; choose another`,
        );
      }
      const other = seen.get(uid);
      if (other !== undefined)
        throw new InvalidArgumentError(
          `operators "${other}" and "${operator.name}" of job "${graph.name}" have the same uid "${uid}"; give each operator a uid of its own`,
        );
      seen.set(uid, operator.name);
      return { ...operator, uid };
    }),
  }));
  return { ...graph, vertices };
}
