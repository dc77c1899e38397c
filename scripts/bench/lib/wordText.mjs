// Generated text for the word-count benchmark and the word-count tests, in plain JavaScript so the
// benchmarks need no TypeScript (types: wordText.d.mts): lines of 8 to 15 words drawn from a fixed
// vocabulary with a skewed (Zipf-like) distribution by a seeded generator, and the counts it wrote.
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'qua', 'bri', 'sho', 'de', 'fu', 'gi', 'po'];

/** A deterministic pseudo-random generator (mulberry32) returning floats in [0, 1). */
function random(seed) {
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
function vocabulary(size, next) {
  const words = new Set();
  while (words.size < size) {
    const syllables = 2 + Math.floor(next() * 3);
    let word = '';
    for (let i = 0; i < syllables; i++) word += SYLLABLES[Math.floor(next() * SYLLABLES.length)];
    words.add(word);
  }
  return [...words];
}

/**
 * Writes at least `bytes` bytes of text to `path` and returns how often each word occurs.
 */
export function writeWordText(path, bytes, seed = 42, vocabularySize = 5000) {
  const next = random(seed);
  const words = vocabulary(vocabularySize, next);
  const counts = new Map();
  const fd = openSync(path, 'w');
  let written = 0;
  try {
    while (written < bytes) {
      const lines = [];
      let chunkBytes = 0;
      while (chunkBytes < 1 << 20) {
        const length = 8 + Math.floor(next() * 8);
        const line = [];
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

/** The final count per word in a running-count output folder (lines `["word",n]`): the largest count seen for each word. */
export function finalCountsOfFolder(folder) {
  const counts = new Map();
  for (const name of readdirSync(folder)
    .filter((entry) => !entry.startsWith('.'))
    .sort()) {
    const text = readFileSync(join(folder, name), 'utf8');
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      if (end > start) {
        const [word, count] = JSON.parse(text.slice(start, end));
        if (count > (counts.get(word) ?? 0)) counts.set(word, count);
      }
      start = end + 1;
    }
  }
  return counts;
}

/** Whether two count maps are equal; a description of the first difference otherwise. */
export function compareCounts(expected, actual) {
  if (expected.size !== actual.size) return `${expected.size} distinct words expected, ${actual.size} found`;
  for (const [word, count] of expected)
    if (actual.get(word) !== count) return `"${word}": ${count} expected, ${actual.get(word)} found`;
  return undefined;
}
