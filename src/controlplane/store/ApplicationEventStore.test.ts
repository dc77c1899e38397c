import { describe, expect, it } from 'vitest';
import { testApplication, testState } from '../testing/testState.js';

describe('ApplicationEventStore', () => {
  it('numbers events without gaps, also when the transaction around an append is rolled back', () => {
    const { db, applications, events } = testState();
    const application = testApplication();
    applications.insert(application);
    expect(
      events.append(application.id, { type: 'applicationStatusChanged', status: 'RUNNING', message: 'alone' }).sequence,
    ).toBe(1);
    // Inside a transaction the append adds no savepoint of its own: the caller's rollback takes its sequence back.
    expect(() =>
      db.transaction(() => {
        expect(
          events.append(application.id, { type: 'applicationStatusChanged', status: 'FAILING', message: 'never' })
            .sequence,
        ).toBe(2);
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    const kept = db.transaction(() =>
      events.append(application.id, { type: 'applicationStatusChanged', status: 'FINISHED', message: 'kept' }),
    )();
    expect(kept.sequence).toBe(2);
    expect(
      events
        .read(application.id, 0, 10)
        .map((event) => [event.sequence, event.kind.type === 'applicationStatusChanged' && event.kind.message]),
    ).toEqual([
      [1, 'alone'],
      [2, 'kept'],
    ]);
    expect(() =>
      db.transaction(() =>
        events.append('app-nope', { type: 'applicationStatusChanged', status: 'RUNNING', message: 'x' }),
      )(),
    ).toThrow(/unknown application app-nope/);
  });
});
