/**
 * How a task executor learns its job manager's address when it is not known at start (Flink's
 * leader retrieval): a local cluster starts its task executors together with the job manager, and
 * each waits for the address file the job manager writes once it listens, so the task executors'
 * start-up overlaps the job manager's instead of following it.
 */
import { parseHostPort, type HostPort } from '../common/address.js';
import { waitForAddressFile } from '../common/addressFile.js';

/** Where the job manager's address will come from. */
export interface JobManagerRetrieval {
  /** What is read, for logs and messages, such as "the address file /x/jobmanager.address". */
  readonly description: string;
  /** Resolves with the address once it is known; rejects when it does not come in time or `signal` aborts. */
  retrieve(signal: AbortSignal): Promise<HostPort>;
}

/** Whether the job manager is named by a retrieval rather than by its address. */
export function isJobManagerRetrieval(jobmanager: HostPort | JobManagerRetrieval): jobmanager is JobManagerRetrieval {
  return 'retrieve' in jobmanager;
}

/** Reads the address from `file` once the job manager has written it, waiting at most `timeoutMs`. */
export function addressFileRetrieval(file: string, timeoutMs: number): JobManagerRetrieval {
  return {
    description: `the address file ${file}`,
    async retrieve(signal) {
      return parseHostPort(await waitForAddressFile(file, timeoutMs, signal), `the job manager address in ${file}`);
    },
  };
}
