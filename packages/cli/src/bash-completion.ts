// `tlsbridge completion bash`: a bash completion script made from the option table, so it always
// matches the program that prints it. Install: tlsbridge completion bash > /etc/bash_completion.d/tlsbridge
import { logLevelNames } from "@tlsbridge/runtime";
import { COMMAND_OPTIONS, SUBCOMMANDS } from "./command-options.ts";
import type { Command } from "./command-options.ts";

/** Options that name a file: completed with file names. */
const FILE_OPTIONS = ["config", "out"] as const;

/** The completion script for bash. */
export function bashCompletion(): string {
  const commands = Object.keys(COMMAND_OPTIONS) as Command[];
  const flags = (command: Command): string[] => Object.entries(COMMAND_OPTIONS[command]).flatMap(([name, spec]) =>
    "short" in spec ? [`--${name}`, `-${spec.short}`] : [`--${name}`]);
  const taking = (predicate: (name: string) => boolean): string[] => [...new Set(commands.flatMap((command) =>
    Object.entries(COMMAND_OPTIONS[command]).flatMap(([name, spec]) =>
      spec.type === "string" && predicate(name) ? ("short" in spec ? [`--${name}`, `-${spec.short}`] : [`--${name}`]) : [])))];
  const fileFlags = taking((name) => (FILE_OPTIONS as readonly string[]).includes(name));
  const valueFlags = taking((name) => !(FILE_OPTIONS as readonly string[]).includes(name) && name !== "log-level");
  const cases = commands.map((command) => {
    const subs = SUBCOMMANDS[command];
    const first = subs === undefined ? "" : `[ "$COMP_CWORD" -eq 2 ] && { COMPREPLY=($(compgen -W "${subs.join(" ")}" -- "$cur")); return; }; `;
    return `    ${command}) ${first}opts="${flags(command).join(" ")}" ;;`;
  });
  return `# bash completion for tlsbridge, printed by \`tlsbridge completion bash\`.
# Install: tlsbridge completion bash > /etc/bash_completion.d/tlsbridge  (or source it from ~/.bashrc)
_tlsbridge() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" opts
  COMPREPLY=()
  case "$prev" in
    ${fileFlags.join("|")}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --log-level) COMPREPLY=($(compgen -W "${logLevelNames().join(" ")}" -- "$cur")); return ;;
    ${valueFlags.join("|")}) return ;;
  esac
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${commands.join(" ")} --help --version" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases.join("\n")}
    *) return ;;
  esac
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -o filenames -F _tlsbridge tlsbridge
`;
}
