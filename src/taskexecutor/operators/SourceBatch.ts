/**
 * What a source hands its task with each batch: the records and where the source stands after
 * them (Flink's split state). The task keeps the position of the last batch it processed and puts
 * it into its checkpoint snapshot; a restored source starts from that position, so the records
 * after it are read again and those before it never are.
 */

/** One batch of a source with the source's position after it (data a structured clone can copy). */
export interface SourceBatch {
  records: unknown[];
  position: unknown;
}
