// The example application: counts the words of a few lines of text, then prints the most
// frequent ones. It is written against Flotilla's pipeline API (env.fromCollection, flatMap,
// keyBy, sum, collect), which arrives with the cluster runtime; this build stores the bundle
// (flotilla upload) but cannot run it yet.
const TEXT = [
  'to be or not to be that is the question',
  'whether tis nobler in the mind to suffer',
  'the slings and arrows of outrageous fortune',
];

export async function main(env, args) {
  const top = Number(args[0] ?? 3);
  const counts = await env
    .fromCollection(TEXT)
    .flatMap((line) => line.split(/\s+/).filter((word) => word.length > 0))
    .map((word) => [word, 1])
    .keyBy((pair) => pair[0])
    .sum(1)
    .collect('wordcount');
  const final = new Map(counts.map(([word, count]) => [word, count]));
  const ranked = [...final.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, top);
  for (const [word, count] of ranked) console.log(`${word}\t${count}`);
}
