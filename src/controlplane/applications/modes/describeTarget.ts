/** Where an application with one cluster runs, in the words of the event that accepts it. */
import type { ApplicationSubmission } from '../../model/Application.js';

/** The size of a cluster deployed for `submission`, or '' when it names one. */
export function describeSize(submission: ApplicationSubmission): string {
  const target = submission.target;
  return target.kind === 'deploy'
    ? `${target.spec.taskExecutors} task executor(s) with ${target.spec.slotsPerTaskExecutor} slot(s) each`
    : '';
}

/** "deploying a cluster of …", "it runs on cluster …" or "it runs on the job manager at …". */
export function describeTarget(submission: ApplicationSubmission): string {
  const target = submission.target;
  if (target.kind === 'deploy') return `deploying a cluster of ${describeSize(submission)} for it`;
  if (target.kind === 'cluster') return `it runs on cluster ${target.clusterId}`;
  return `it runs on the job manager at ${target.address}`;
}
