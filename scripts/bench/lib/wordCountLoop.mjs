// The floor of the word-count figure: a plain single-process loop that computes the same counts
// over the same file. It reads 1 MiB chunks, splits lines on "\n" and words on " ", and counts
// in a Map. Prints one JSON line: {ms, cpuMs, words, distinct} with ms (and the CPU time used) from
// the first read to the final counts (process start-up excluded). With a second argument it writes the counts there as JSON,
// after the timing, so the benchmark can check the engine's output against them.
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';

const [input, countsFile] = process.argv.slice(2);
const begin = performance.now();
const cpuBegin = process.cpuUsage();
const counts = new Map();
let words = 0;
const fd = openSync(input, 'r');
const buffer = Buffer.allocUnsafe(1 << 20);
const decoder = new StringDecoder('utf8');
let carry = '';
const countLine = (line) => {
  for (const word of line.split(' ')) {
    if (word.length === 0) continue;
    counts.set(word, (counts.get(word) ?? 0) + 1);
    words++;
  }
};
for (;;) {
  const read = readSync(fd, buffer, 0, buffer.length, null);
  if (read === 0) break;
  const text = carry + decoder.write(buffer.subarray(0, read));
  const lines = text.split('\n');
  carry = lines.pop();
  for (const line of lines) countLine(line);
}
carry += decoder.end();
if (carry) countLine(carry);
closeSync(fd);
const ms = performance.now() - begin;
const cpu = process.cpuUsage(cpuBegin);
const cpuMs = (cpu.user + cpu.system) / 1000;
if (countsFile) writeFileSync(countsFile, JSON.stringify([...counts]));
process.stdout.write(`${JSON.stringify({ ms, cpuMs, words, distinct: counts.size })}\n`);
