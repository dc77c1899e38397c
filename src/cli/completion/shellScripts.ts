/**
 * The completion functions `flotilla completion bash|zsh` prints. Both ask the CLI itself
 * (`flotilla __complete WORD...`) for the candidates of the word under the cursor, and fall back to
 * file names where the CLI has none (a bundle, a folder).
 */

/** The shells completion is written for. */
export const COMPLETION_SHELLS = ['bash', 'zsh'] as const;

/** One of {@link COMPLETION_SHELLS}. */
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

const BASH = `# flotilla completion for bash. Load it with:  source <(flotilla completion bash)
# or install it:  flotilla completion bash > /etc/bash_completion.d/flotilla
_flotilla() {
  local IFS=$'\\n'
  local candidates
  candidates=$(flotilla __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return 0
  COMPREPLY=($(compgen -W "$candidates" -- "\${COMP_WORDS[COMP_CWORD]}"))
}
complete -o default -F _flotilla flotilla
`;

const ZSH = `#compdef flotilla
# flotilla completion for zsh. Load it with:  source <(flotilla completion zsh)
# or install it as _flotilla in a folder of $fpath.
_flotilla() {
  local -a candidates
  candidates=("\${(@f)$(flotilla __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  candidates=(\${candidates:#})
  if (( \${#candidates} )); then
    compadd -- "\${candidates[@]}"
  else
    _files
  fi
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _flotilla "$@"
else
  compdef _flotilla flotilla
fi
`;

/** The completion script for `shell`. */
export function completionScript(shell: CompletionShell): string {
  return shell === 'bash' ? BASH : ZSH;
}
