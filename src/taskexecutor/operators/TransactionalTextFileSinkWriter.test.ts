import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testTaskContext } from './testing/testTaskContext.js';
import { TransactionalTextFileSinkWriter } from './TransactionalTextFileSinkWriter.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function outputFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'flotilla-2pc-'));
  folders.push(folder);
  return folder;
}

async function openedWriter(path: string, attemptNumber: number, state?: unknown) {
  const writer = new TransactionalTextFileSinkWriter(path, testTaskContext(0, 2, { attemptNumber }));
  await writer.open();
  await writer.restoreState(state);
  return writer;
}

describe('TransactionalTextFileSinkWriter', () => {
  it('makes a checkpoint’s records a pending file at the barrier and commits it only when the checkpoint completed', async () => {
    const path = outputFolder();
    const writer = await openedWriter(path, 0);
    await writer.emit(['a', 'b']);
    expect(await writer.snapshotState(1)).toEqual({ pending: [1] });
    expect(readdirSync(path)).toEqual(['.part-0-1.pending']);
    await writer.emit(['c']);
    expect(await writer.snapshotState(2)).toEqual({ pending: [1, 2] });
    await writer.notifyCheckpointComplete(1);
    expect(readdirSync(path).sort()).toEqual(['.part-0-2.pending', 'part-0-1']);
    expect(readFileSync(join(path, 'part-0-1'), 'utf8')).toBe('a\nb\n');
    // A checkpoint without new records has nothing to commit of its own.
    expect(await writer.snapshotState(3)).toEqual({ pending: [2] });
    await writer.notifyCheckpointComplete(3);
    expect(readdirSync(path).sort()).toEqual(['part-0-1', 'part-0-2']);
  });

  it('writes full buffers to the in-progress file before the barrier, which adds only the rest', async () => {
    const path = outputFolder();
    const writer = new TransactionalTextFileSinkWriter(path, testTaskContext(0, 2, { attemptNumber: 0 }), 4);
    await writer.open();
    await writer.restoreState(undefined);
    await writer.emit(['ab', 'cd']);
    // Six characters passed the buffer of four: they are on disk, not yet pending.
    expect(readdirSync(path)).toEqual(['.part-0.attempt-0.inprogress']);
    expect(readFileSync(join(path, '.part-0.attempt-0.inprogress'), 'utf8')).toBe('ab\ncd\n');
    await writer.emit(['e']);
    expect(await writer.snapshotState(1)).toEqual({ pending: [1] });
    await writer.emit(['fghij', 'k']);
    expect(await writer.snapshotState(2)).toEqual({ pending: [1, 2] });
    await writer.notifyCheckpointComplete(2);
    expect(readdirSync(path).sort()).toEqual(['part-0-1', 'part-0-2']);
    expect(readFileSync(join(path, 'part-0-1'), 'utf8')).toBe('ab\ncd\ne\n');
    expect(readFileSync(join(path, 'part-0-2'), 'utf8')).toBe('fghij\nk\n');
    // Records written to disk after the last barrier are dropped with the attempt.
    await writer.emit(['lost', 'too']);
    await writer.abort();
    expect(readdirSync(path).sort()).toEqual(['part-0-1', 'part-0-2']);
  });

  it('after a crash, commits what the restored checkpoint covered and deletes what came after it', async () => {
    const path = outputFolder();
    const first = await openedWriter(path, 0);
    await first.emit(['before']);
    const restored = await first.snapshotState(1);
    await first.emit(['after']);
    await first.snapshotState(2); // checkpoint 2 never completes
    await first.emit(['unsnapshotted']);
    // The attempt dies without a word; the next one restores checkpoint 1.
    const second = await openedWriter(path, 1, restored);
    expect(readdirSync(path).sort()).toEqual(['part-0-1']);
    expect(readFileSync(join(path, 'part-0-1'), 'utf8')).toBe('before\n');
    // Committing again (the confirmation arriving late) changes nothing.
    await second.notifyCheckpointComplete(1);
    expect(readdirSync(path).sort()).toEqual(['part-0-1']);
  });

  it('leaves the files of other subtasks alone', async () => {
    const path = outputFolder();
    const other = new TransactionalTextFileSinkWriter(path, testTaskContext(1, 2));
    await other.open();
    await other.restoreState(undefined);
    await other.emit(['theirs']);
    await other.snapshotState(1);
    await openedWriter(path, 1);
    expect(readdirSync(path)).toEqual(['.part-1-1.pending']);
  });
});
