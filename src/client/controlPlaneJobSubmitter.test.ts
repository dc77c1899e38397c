import { describe, expect, it } from 'vitest';
import { FailedPreconditionError } from '../common/errors.js';
import type { JobGraph } from '../jobgraph/jobGraph.js';
import type { ControlPlaneConnection } from './controlPlaneClient.js';
import { ControlPlaneJobSubmitter } from './controlPlaneJobSubmitter.js';

describe('ControlPlaneJobSubmitter', () => {
  it('refuses a DAEMON job before calling the control plane, naming the modes that keep daemon jobs', async () => {
    const calls: unknown[] = [];
    const connection = { call: async (...args: unknown[]) => calls.push(args) } as unknown as ControlPlaneConnection;
    const submitter = new ControlPlaneJobSubmitter({ connection, applicationId: 'app-1' });
    const graph = { name: 'tap', vertices: [], edges: [] } as unknown as JobGraph;
    const refused = submitter.submit(graph, { livingPriority: 'DAEMON' });
    await expect(refused).rejects.toThrow(FailedPreconditionError);
    await expect(refused).rejects.toThrow(
      /job "tap" asks for living priority DAEMON.*flotilla run -D or --target application/,
    );
    expect(calls).toEqual([]);
  });
});
