/**
 * What the shell completes next, from the verbs' specs: `flotilla __complete WORD...` answers with
 * the candidates for the last word, one per line, and the bash and zsh functions of
 * `flotilla completion` call it, so completion always knows the verbs and options of the CLI that
 * answers (kubectl and cobra work the same way).
 */
import type { CommandSpec } from '../options/args.js';

/**
 * The candidates for the last of `words` (the words after `flotilla`, the last one being completed,
 * possibly empty): verbs at the start, the action of a two-word verb ("cluster start"), the
 * spellings of the verb's options when the word starts with a dash, and nothing where a value or a
 * path goes (the shell then completes file names).
 */
export function completeWords(specs: readonly CommandSpec[], words: readonly string[]): string[] {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const matching = (candidates: Iterable<string>) =>
    [...new Set(candidates)].filter((candidate) => candidate.startsWith(current)).sort();
  if (before.length === 0) return matching(specs.map((spec) => spec.name.split(' ')[0]));
  const group = specs.filter((spec) => spec.name.startsWith(`${before[0]} `));
  if (before.length === 1 && group.length > 0) return matching(group.map((spec) => spec.name.split(' ')[1]));
  const spec =
    specs.find((candidate) => candidate.name === `${before[0]} ${before[1]}`) ??
    specs.find((candidate) => candidate.name === before[0]);
  if (!spec) return [];
  const previous = spec.options.find((option) => spellingsOf(option).includes(before.at(-1) ?? ''));
  if (previous && previous.type !== 'boolean') return [];
  if (!current.startsWith('-')) return [];
  return matching([...spec.options.flatMap(spellingsOf), '--help']);
}

function spellingsOf(option: CommandSpec['options'][number]): string[] {
  return [`--${option.name}`, ...(option.aliases ?? []).filter((alias) => !option.prefix || alias !== option.prefix)];
}
