import { describe, expect, it } from 'vitest';
import { RecordPartitioner } from './RecordPartitioner.js';
import { selectChannel } from '../../runtime/partitioning/selectChannel.js';
import { functionSpec, testFunctionLoader } from './testing/testFunctionLoader.js';

const records = ['a', 'b', 'c', 'd', 'e'];

describe('RecordPartitioner', () => {
  it('forwards the whole batch to the channel of its own subtask index', () => {
    const partitioner = new RecordPartitioner({ shipStrategy: 'forward', numberOfChannels: 3, subtaskIndex: 1 });
    expect(partitioner.partition(records)).toEqual([[], records, []]);
    const wrapped = new RecordPartitioner({ shipStrategy: 'forward', numberOfChannels: 2, subtaskIndex: 3 });
    expect(wrapped.partition(records)).toEqual([[], records]);
  });

  it('rebalances round-robin per record, starting at its subtask index and going on across batches', () => {
    const partitioner = new RecordPartitioner({ shipStrategy: 'rebalance', numberOfChannels: 3, subtaskIndex: 2 });
    expect(partitioner.partition(records)).toEqual([['b', 'e'], ['c'], ['a', 'd']]);
    expect(partitioner.partition(['f', 'g'])).toEqual([[], ['f'], ['g']]);
  });

  it('broadcasts every batch to every channel', () => {
    const partitioner = new RecordPartitioner({ shipStrategy: 'broadcast', numberOfChannels: 3, subtaskIndex: 0 });
    expect(partitioner.partition(records)).toEqual([records, records, records]);
  });

  it('sends a string key to the channel selectChannel gives it, also once it has seen more keys than it remembers', () => {
    const partitioner = new RecordPartitioner({
      shipStrategy: 'hash',
      numberOfChannels: 5,
      subtaskIndex: 0,
      keySelector: (word: string) => word,
    });
    const words = Array.from({ length: 70_000 }, (_, i) => `w${i}`);
    const misrouted: string[] = [];
    for (const batch of [words, words.slice(0, 1000), words.slice(-1000)]) {
      partitioner.partition(batch).forEach((channel, index) => {
        for (const word of channel as string[]) if (selectChannel(word, 5) !== index) misrouted.push(word);
      });
    }
    expect(misrouted).toEqual([]);
    expect(partitioner.partition(['1', 1] as unknown[]).flat()).toHaveLength(2);
  });

  it('hashes each record by the key its selector returns, keeping the order within a channel', async () => {
    const partitioner = await RecordPartitioner.create({
      shipStrategy: 'hash',
      numberOfChannels: 4,
      subtaskIndex: 0,
      keySelector: functionSpec((pair: [string, number]) => pair[0]),
      loader: testFunctionLoader,
    });
    const pairs: [string, number][] = ['x', 'y', 'z', 'x', 'w', 'y', 'x'].map((word, i) => [word, i]);
    const channels = partitioner.partition(pairs);
    expect(channels.flat()).toHaveLength(pairs.length);
    channels.forEach((channel, index) => {
      for (const pair of channel as [string, number][]) expect(selectChannel(pair[0], 4)).toBe(index);
      const positions = (channel as [string, number][]).map((pair) => pair[1]);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    });
  });

  it('refuses a hash edge without key selector and unknown strategies', () => {
    expect(() => new RecordPartitioner({ shipStrategy: 'hash', numberOfChannels: 2, subtaskIndex: 0 })).toThrow(
      /needs a key selector/,
    );
    expect(
      () => new RecordPartitioner({ shipStrategy: 'shuffle' as 'hash', numberOfChannels: 2, subtaskIndex: 0 }),
    ).toThrow(/unknown ship strategy "shuffle"/);
    expect(() => new RecordPartitioner({ shipStrategy: 'forward', numberOfChannels: 0, subtaskIndex: 0 })).toThrow(
      /positive integer/,
    );
  });

  it('lets errors of the key selector through unchanged', () => {
    const failure = new Error('bad key');
    const partitioner = new RecordPartitioner({
      shipStrategy: 'hash',
      numberOfChannels: 2,
      subtaskIndex: 0,
      keySelector: () => {
        throw failure;
      },
    });
    expect(() => partitioner.partition(['a'])).toThrow(failure);
  });
});
