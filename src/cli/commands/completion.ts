/**
 * `flotilla completion bash|zsh`: prints the shell's completion function (see
 * cli/completion/shellScripts.ts); `source <(flotilla completion bash)` turns it on.
 */
import { UsageError, type CommandSpec, type ParsedCommandLine } from '../options/args.js';
import { COMPLETION_SHELLS, completionScript, type CompletionShell } from '../completion/shellScripts.js';

export const completionCommand: CommandSpec = {
  name: 'completion',
  summary: 'Print the shell completion function for bash or zsh: source <(flotilla completion bash)',
  positionals: [{ name: 'SHELL', description: `The shell: ${COMPLETION_SHELLS.join(' or ')}.`, required: true }],
  options: [],
};

export function runCompletion(args: ParsedCommandLine): Promise<number> {
  const shell = args.positionals[0];
  if (!(COMPLETION_SHELLS as readonly string[]).includes(shell))
    throw new UsageError(`SHELL must be ${COMPLETION_SHELLS.join(' or ')}, not "${shell}"`);
  process.stdout.write(completionScript(shell as CompletionShell));
  return Promise.resolve(0);
}
