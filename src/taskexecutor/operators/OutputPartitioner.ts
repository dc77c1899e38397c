/**
 * What a task's network output asks of each outgoing edge: which records go to which consumer
 * subtask. A plain {@link RecordPartitioner} routes every record as it comes; a
 * PreAggregatingPartitioner folds records by key first and routes partials, so it may hold
 * records back until {@link OutputPartitioner.flush} at the end of the input.
 */

/** Routes one producer subtask's records to the consumer subtasks of one edge. */
export interface OutputPartitioner {
  /** The records to send now for `records`, one batch per channel (index = consumer subtask); any may be empty. */
  partition(records: unknown[]): unknown[][];
  /** At the end of the input: whatever was held back, one batch per channel; an empty array when nothing was. */
  flush(): unknown[][];
}
