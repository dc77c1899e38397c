import { describe, expect, it } from 'vitest';
import { CheckpointBarrierAligner } from './CheckpointBarrierAligner.js';

describe('CheckpointBarrierAligner', () => {
  it('blocks each channel whose barrier came until every channel has sent it, then releases all', () => {
    const aligner = new CheckpointBarrierAligner(3);
    expect(aligner.onBarrier(1, 1)).toEqual({ released: false });
    expect(aligner.isBlocked(1)).toBe(true);
    expect(aligner.isBlocked(0)).toBe(false);
    expect(aligner.aligningCheckpointId).toBe(1);
    expect(aligner.onBarrier(0, 1)).toEqual({ released: false });
    expect(aligner.onBarrier(2, 1)).toEqual({ aligned: 1, released: true });
    expect([0, 1, 2].map((channel) => aligner.isBlocked(channel))).toEqual([false, false, false]);
    expect(aligner.aligningCheckpointId).toBeUndefined();
  });

  it('aligns a single channel at once', () => {
    const aligner = new CheckpointBarrierAligner(1);
    expect(aligner.onBarrier(0, 7)).toEqual({ aligned: 7, released: true });
    expect(aligner.isBlocked(0)).toBe(false);
  });

  it('abandons an alignment when a newer checkpoint’s barrier comes, and ignores barriers of older ones', () => {
    const aligner = new CheckpointBarrierAligner(2);
    aligner.onBarrier(0, 1);
    // Checkpoint 1 can no longer complete here: channel 0 is released and checkpoint 2 is aligned instead.
    expect(aligner.onBarrier(1, 2)).toEqual({ released: true });
    expect(aligner.isBlocked(0)).toBe(false);
    expect(aligner.isBlocked(1)).toBe(true);
    expect(aligner.onBarrier(1, 1)).toEqual({ released: false });
    expect(aligner.onBarrier(0, 1)).toEqual({ released: false });
    expect(aligner.onBarrier(0, 2)).toEqual({ aligned: 2, released: true });
    // A late barrier of an aligned checkpoint changes nothing.
    expect(aligner.onBarrier(0, 2)).toEqual({ released: false });
    expect(aligner.isBlocked(0)).toBe(false);
  });
});
