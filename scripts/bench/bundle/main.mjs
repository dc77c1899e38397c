// The benchmarks' driver main: it writes the wall-clock time (epoch ms) it started at into the
// file args[0], when given (args[0] "-": prints "main() started at MS" to the driver log instead,
// for a driver in a pod whose files the benchmark cannot read), then waits args[1] milliseconds (0
// by default) and returns. With no job submitted, the application ends FINISHED as soon as main()
// returns.
import { writeFileSync } from 'node:fs';

export async function main(env, args) {
  const startedAt = performance.timeOrigin + performance.now();
  if (args[0] === '-') console.log(`main() started at ${startedAt}`);
  else if (args[0]) writeFileSync(args[0], String(startedAt));
  const waitMs = Number(args[1] ?? 0);
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
}
