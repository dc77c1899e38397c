/**
 * What `print()` and `writeAsText()` return (Flink's DataStreamSink): the end of a pipeline,
 * which can still be renamed, given its own parallelism or an id until the job is executed.
 */
import { requireNonEmptyString, requireParallelism } from './argumentChecks.js';
import type { OperatorTransformation } from './Transformation.js';

/** A declared sink of records of type `T`. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- T types the sink for the user (a phantom type parameter)
export class DataStreamSink<T> {
  /** @internal Made by {@link DataStream}'s sink methods. */
  constructor(readonly transformation: OperatorTransformation) {}

  /** Sets how many subtasks write; by default the environment's parallelism. */
  setParallelism(parallelism: number): this {
    requireParallelism('DataStreamSink.setParallelism()', parallelism);
    this.transformation.parallelism = parallelism;
    return this;
  }

  /**
   * Gives the sink a stable id (Flink's `uid`): its state (a two-phase-commit sink's pending
   * files) is filed under it in checkpoints and savepoints.
   */
  uid(uid: string): this {
    requireNonEmptyString('DataStreamSink.uid()', uid, 'an id');
    this.transformation.uid = uid;
    return this;
  }

  /** Sets the sink's name as shown in the job's vertex names. */
  name(name: string): this {
    requireNonEmptyString('DataStreamSink.name()', name, 'a name');
    this.transformation.name = name;
    return this;
  }
}
