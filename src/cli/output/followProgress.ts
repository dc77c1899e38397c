/**
 * What the status line of a followed application says, kept from its events: the application's
 * status, its cluster's task executors ready out of the total while the cluster deploys, how many
 * of its jobs run, and how long it has been followed.
 */
import type { ApplicationEvent } from '../../../generated/flotilla/v1/events.js';
import { ApplicationStatus, ClusterStatus, JobStatus } from '../../../generated/flotilla/v1/status.js';
import { readiness } from '../../client/describeEvent.js';

const ENDED_JOB = new Set([JobStatus.FINISHED, JobStatus.FAILED, JobStatus.CANCELED, JobStatus.SUSPENDED]);

/** Time as people read it on a status line: "4.2s", "3m07s", "1h02m". */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** The state a status line shows, updated event by event. */
export class FollowProgress {
  private status: ApplicationStatus | undefined;
  private cluster: { status: ClusterStatus; registered: number; total: number } | undefined;
  private readonly jobs = new Map<string, JobStatus>();
  private readonly started = Date.now();

  constructor(private readonly applicationId: string) {}

  /** Takes what `event` changes. */
  observe(event: ApplicationEvent): void {
    const kind = event.kind;
    switch (kind?.$case) {
      case 'applicationStatusChanged':
        this.status = kind.applicationStatusChanged.status;
        break;
      case 'clusterStatusChanged': {
        const { status, registeredTaskExecutors, taskExecutors } = kind.clusterStatusChanged;
        this.cluster = { status, registered: registeredTaskExecutors, total: taskExecutors };
        break;
      }
      case 'jobStatusChanged':
        this.jobs.set(kind.jobStatusChanged.jobId, kind.jobStatusChanged.status);
        break;
      default:
    }
  }

  /** The status line's text now. */
  describe(): string {
    const parts = [
      this.status === undefined ? `following ${this.applicationId}` : `application ${ApplicationStatus[this.status]}`,
    ];
    // A deploying cluster's events carry how many task executors are ready (those before that field had none: total 0).
    if (this.cluster?.status === ClusterStatus.DEPLOYING && this.cluster.total > 0)
      parts.push(`cluster ${readiness(this.cluster.registered, this.cluster.total)}`);
    const running = [...this.jobs.values()].filter((status) => !ENDED_JOB.has(status)).length;
    if (running > 0) parts.push(`${running} job${running === 1 ? '' : 's'} running`);
    parts.push(formatElapsed(Date.now() - this.started));
    return parts.join(' · ');
  }
}
