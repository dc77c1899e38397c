import { describe, expect, it } from 'vitest';
import { ControlPlaneEvents } from './ControlPlaneEvents.js';

describe('ControlPlaneEvents', () => {
  it('hands each event to the handlers of its type only, in the order they subscribed', () => {
    const events = new ControlPlaneEvents();
    const seen: string[] = [];
    events.on('jobEnded', (event) => seen.push(`first ${event.jobId}`));
    events.on('jobResultDelivered', (event) => seen.push(`delivered ${event.jobId}`));
    events.on('jobEnded', (event) => seen.push(`second ${event.jobId}`));
    events.publish({ type: 'jobEnded', jobId: 'job-1' });
    events.publish({ type: 'clientMainEnded', applicationId: 'app-1' });
    expect(seen).toEqual(['first job-1', 'second job-1']);
  });

  it("lets a handler's error reach the publisher, as a direct call would (a transaction rolls back)", () => {
    const events = new ControlPlaneEvents();
    events.on('jobEnded', () => {
      throw new Error('handler failed');
    });
    expect(() => events.publish({ type: 'jobEnded', jobId: 'job-1' })).toThrow('handler failed');
  });
});
