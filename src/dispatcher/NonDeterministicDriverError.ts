/**
 * A later driver attempt took another path than the earlier attempt it replays (as Temporal's
 * non-determinism error): its k-th job submission is not the job the earlier attempt submitted at
 * ordinal k, or it ended without a submission the earlier attempt made. Replay cannot answer such a
 * driver from the record, so its application fails, naming the ordinal and both jobs.
 */
import { FailedPreconditionError } from '../common/errors.js';

/** A driver attempt's submissions differ from the earlier attempt's. */
export class NonDeterministicDriverError extends FailedPreconditionError {
  override name = 'NonDeterministicDriverError';
}
