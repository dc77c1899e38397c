import { describe, expect, it } from 'vitest';
import { checkpointingSettingsOf } from './CheckpointingSettings.js';

describe('checkpointingSettingsOf', () => {
  it('is off without an interval or with 0', () => {
    expect(checkpointingSettingsOf({})).toBeUndefined();
    expect(checkpointingSettingsOf({ 'execution.checkpointing.interval': '0' })).toBeUndefined();
  });

  it('reads the interval, timeout, folder and retained count, with Flink’s defaults', () => {
    expect(checkpointingSettingsOf({ 'execution.checkpointing.interval': '500' })).toEqual({
      intervalMs: 500,
      timeoutMs: 60_000,
      retained: 1,
    });
    expect(
      checkpointingSettingsOf({
        'execution.checkpointing.interval': '10 s',
        'execution.checkpointing.timeout': '1 min',
        'state.checkpoints.dir': 'file:///data/checkpoints',
        'state.checkpoints.num-retained': '3',
      }),
    ).toEqual({ intervalMs: 10_000, timeoutMs: 60_000, retained: 3, directory: '/data/checkpoints' });
  });

  it('names the property it cannot read', () => {
    expect(() => checkpointingSettingsOf({ 'execution.checkpointing.interval': 'soon' })).toThrow(
      /execution.checkpointing.interval expects a duration/,
    );
    expect(() =>
      checkpointingSettingsOf({ 'execution.checkpointing.interval': '1', 'state.checkpoints.num-retained': '0' }),
    ).toThrow(/state.checkpoints.num-retained expects a whole number of at least 1/);
  });
});
