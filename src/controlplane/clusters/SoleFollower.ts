/**
 * The follower leases of a control plane that is the only process on its store (SQLite): it holds
 * every lease, for ever, and its writes need no fencing token, so nothing is checked or written on
 * the path of events. What a restart interrupted is picked up by the control plane's recovery, as
 * it always was.
 */
import type { FollowerLeases } from './FollowerLeases.js';

/** Holds every lease. */
export class SoleFollower implements FollowerLeases {
  readonly shared = false;
  readonly holder = 'sole';

  claim(): Promise<void> {
    return Promise.resolve();
  }

  fence(): Promise<void> {
    return Promise.resolve();
  }

  holds(): boolean {
    return true;
  }

  lostToAnother(): boolean {
    return false;
  }

  take(): Promise<boolean> {
    return Promise.resolve(true);
  }

  seize(): Promise<void> {
    return Promise.resolve();
  }

  letGo(): Promise<void> {
    return Promise.resolve();
  }

  ended(): void {}

  start(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
