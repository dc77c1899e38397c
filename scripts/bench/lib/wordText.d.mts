/** Types of wordText.mjs, which the tests share with the benchmarks. */

/** Writes at least `bytes` bytes of generated text to `path`; returns how often each word occurs. */
export function writeWordText(path: string, bytes: number, seed?: number, vocabularySize?: number): Map<string, number>;

/** The final count per word in a running-count output folder: the largest count seen for each word. */
export function finalCountsOfFolder(folder: string): Map<string, number>;

/** Undefined when the two count maps are equal; a description of the first difference otherwise. */
export function compareCounts(expected: Map<string, number>, actual: Map<string, number>): string | undefined;
