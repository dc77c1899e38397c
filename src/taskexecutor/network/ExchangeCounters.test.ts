import { describe, expect, it } from 'vitest';
import type { InputChannel, InputChannelListener } from './InputChannel.js';
import { ExchangeCounters } from './ExchangeCounters.js';

/** A channel that hands its listener to the test, and records what is asked of it. */
function fakeChannel() {
  const calls: string[] = [];
  let listener: InputChannelListener | undefined;
  const channel: InputChannel = {
    descriptor: { partitionId: 'p', subpartitionIndex: 0, producerAddress: 'x' } as InputChannel['descriptor'],
    start: (given) => (listener = given),
    addCredit: (credit) => calls.push(`credit ${credit}`),
    close: () => calls.push('close'),
  };
  return { channel, calls, listener: () => listener! };
}

describe('ExchangeCounters', () => {
  it('counts the records and bytes each channel delivers by its kind, and passes everything through', () => {
    const counters = new ExchangeCounters();
    const remote = fakeChannel();
    const local = fakeChannel();
    const seen: string[] = [];
    const listener: InputChannelListener = {
      onBatch: (batch) => seen.push(`batch ${batch.count}`),
      onEndOfPartition: () => seen.push('end'),
      onError: (error) => seen.push(`error ${error.message}`),
    };
    const countedRemote = counters.counting('network', remote.channel);
    const countedLocal = counters.counting('local', local.channel);
    expect(countedRemote.descriptor).toBe(remote.channel.descriptor);
    countedRemote.start(listener);
    countedLocal.start(listener);
    remote.listener().onBatch({ count: 3, payload: new Uint8Array(30) });
    remote.listener().onBatch({ count: 2, payload: new Uint8Array(12).subarray(2) });
    local.listener().onBatch({ count: 7, payload: new Uint8Array(70) });
    remote.listener().onEndOfPartition();
    local.listener().onError(new Error('gone'));
    countedRemote.addCredit(2);
    countedLocal.close();

    expect(counters.of('network')).toEqual({ records: 5, bytes: 40 });
    expect(counters.of('local')).toEqual({ records: 7, bytes: 70 });
    expect(seen).toEqual(['batch 3', 'batch 2', 'batch 7', 'end', 'error gone']);
    expect(remote.calls).toEqual(['credit 2']);
    expect(local.calls).toEqual(['close']);
  });
});
