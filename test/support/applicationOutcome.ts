/** What an end-to-end test reads from an application's events and its output files. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApplicationEvent, ApplicationStatusChanged } from '../../generated/flotilla/v1/events.js';
import type { ApplicationStatus, JobStatus } from '../../generated/flotilla/v1/status.js';

/** The application status changes among `events`, in order. */
export function applicationChanges(events: ApplicationEvent[]): ApplicationStatusChanged[] {
  return events.flatMap((event) =>
    event.kind?.$case === 'applicationStatusChanged' ? [event.kind.applicationStatusChanged] : [],
  );
}

/** The final application status in `events`, if it ended. */
export function finalStatus(events: ApplicationEvent[]): ApplicationStatus | undefined {
  return applicationChanges(events).at(-1)?.status;
}

/** The last status of each job, by job name. */
export function jobStatuses(events: ApplicationEvent[]): Map<string, JobStatus> {
  const statuses = new Map<string, JobStatus>();
  for (const event of events)
    if (event.kind?.$case === 'jobStatusChanged')
      statuses.set(event.kind.jobStatusChanged.jobName, event.kind.jobStatusChanged.status);
  return statuses;
}

/** The lines of every part file in `folder` (what writeAsText wrote), in part order. */
export function partLines(folder: string): string[] {
  return readdirSync(folder)
    .filter((name) => name.startsWith('part-'))
    .sort()
    .flatMap((name) => readFileSync(join(folder, name), 'utf8').split('\n').filter(Boolean));
}
