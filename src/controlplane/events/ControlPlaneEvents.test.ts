import { describe, expect, it } from 'vitest';
import { ControlPlaneEvents } from './ControlPlaneEvents.js';

describe('ControlPlaneEvents', () => {
  it('hands each event to the handlers of its type only, in the order they subscribed', async () => {
    const events = new ControlPlaneEvents();
    const seen: string[] = [];
    events.on('jobEnded', (event) => seen.push(`first ${event.jobId}`));
    events.on('jobResultDelivered', (event) => seen.push(`delivered ${event.jobId}`));
    events.on('jobEnded', (event) => seen.push(`second ${event.jobId}`));
    await events.publish({ type: 'jobEnded', jobId: 'job-1' });
    await events.publish({ type: 'clientMainEnded', applicationId: 'app-1' });
    expect(seen).toEqual(['first job-1', 'second job-1']);
  });

  it('awaits each handler before the next, so that a handler writing to the store is done when publish resolves', async () => {
    const events = new ControlPlaneEvents();
    const seen: string[] = [];
    events.on('jobEnded', async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      seen.push('slow first');
    });
    events.on('jobEnded', () => seen.push('second'));
    await events.publish({ type: 'jobEnded', jobId: 'job-1' });
    expect(seen).toEqual(['slow first', 'second']);
  });

  it("lets a handler's error reach the publisher, as a direct call would (a unit of work rolls back)", async () => {
    const events = new ControlPlaneEvents();
    events.on('jobEnded', () => {
      throw new Error('handler failed');
    });
    await expect(events.publish({ type: 'jobEnded', jobId: 'job-1' })).rejects.toThrow('handler failed');
  });
});
