import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../common/errors.js';
import type { Job } from '../model/Job.js';
import { testApplication, testCluster, testState } from '../testing/testState.js';

describe('JobStore', () => {
  it('lists a tenant’s jobs newest first, page by page, optionally of one application', () => {
    const { applications, clusters, jobs } = testState();
    const cluster = testCluster();
    clusters.insert(cluster);
    const [mine, alsoMine, theirs] = [
      testApplication({ tenant: 'a' }),
      testApplication({ tenant: 'a' }),
      testApplication({ tenant: 'b' }),
    ];
    for (const application of [mine, alsoMine, theirs]) applications.insert(application);
    const job = (id: string, applicationId: string): Job => ({
      id,
      applicationId,
      clusterId: cluster.id,
      name: id,
      livingPriority: 'NORMAL',
      status: 'RUNNING',
      restarts: 0,
      requestId: '',
      createTime: new Date(),
    });
    for (const [id, applicationId] of [
      ['j1', mine.id],
      ['j2', theirs.id],
      ['j3', alsoMine.id],
      ['j4', mine.id],
    ] as const)
      jobs.insert(job(id, applicationId));

    const request = { pageSize: 2, pageToken: '', applicationId: '', clusterId: '', tenant: 'a' };
    const first = jobs.list(request);
    expect(first.jobs.map((one) => one.id)).toEqual(['j4', 'j3']);
    const second = jobs.list({ ...request, pageToken: first.nextPageToken });
    expect(second).toEqual({ jobs: [expect.objectContaining({ id: 'j1' })], nextPageToken: '' });
    expect(jobs.list({ ...request, pageSize: 0, applicationId: mine.id }).jobs.map((one) => one.id)).toEqual([
      'j4',
      'j1',
    ]);
    expect(() => jobs.list({ ...request, pageToken: 'bogus' })).toThrow(InvalidArgumentError);
  });
});
