/**
 * Generated text for word-count tests and benchmarks: lines of words drawn from a fixed vocabulary
 * with a skewed (Zipf-like) distribution by a seeded generator, written in large chunks, together
 * with the reference counts a plain single-process loop computes over the same words.
 */
import { openSync, writeSync, closeSync } from 'node:fs';

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'qua', 'bri', 'sho', 'de', 'fu', 'gi', 'po'];

/** A deterministic pseudo-random generator (mulberry32) returning floats in [0, 1). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The vocabulary: `size` distinct words of two to four syllables. */
function vocabulary(size: number, next: () => number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const syllables = 2 + Math.floor(next() * 3);
    let word = '';
    for (let i = 0; i < syllables; i++) word += SYLLABLES[Math.floor(next() * SYLLABLES.length)];
    words.add(word);
  }
  return [...words];
}

/**
 * Writes at least `bytes` bytes of text to `path` (lines of 8 to 15 words separated by single
 * spaces) and returns how often each word occurs.
 */
export function writeWordText(path: string, bytes: number, seed = 42, vocabularySize = 5000): Map<string, number> {
  const next = random(seed);
  const words = vocabulary(vocabularySize, next);
  const counts = new Map<string, number>();
  const fd = openSync(path, 'w');
  let written = 0;
  try {
    while (written < bytes) {
      const lines: string[] = [];
      let chunkBytes = 0;
      while (chunkBytes < 1 << 20) {
        const length = 8 + Math.floor(next() * 8);
        const line: string[] = [];
        for (let i = 0; i < length; i++) {
          const word = words[Math.floor(words.length * next() ** 3)];
          line.push(word);
          counts.set(word, (counts.get(word) ?? 0) + 1);
        }
        const text = line.join(' ');
        lines.push(text);
        chunkBytes += text.length + 1;
      }
      written += writeSync(fd, `${lines.join('\n')}\n`);
    }
  } finally {
    closeSync(fd);
  }
  return counts;
}

/** The final count per word in a running-count output: the largest count seen for each word. */
export function finalCounts(lines: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    if (line === '') continue;
    const [word, count] = JSON.parse(line) as [string, number];
    if (count > (counts.get(word) ?? 0)) counts.set(word, count);
  }
  return counts;
}
