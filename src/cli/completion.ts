/**
 * Shell completion. `meshctl completion bash|zsh|fish|powershell` prints a script that, at every TAB, runs
 * `meshctl __complete -- <words after meshctl, the word being completed last>` (kubectl's and cobra's design: one
 * source of truth, the command tree oclif loaded from its manifest) and offers what it prints.
 *
 * `__complete`'s answer is cobra's (so kubectl's plugin completion reads it too, through `kubectl_complete-meshctl`):
 * one candidate per line (`value` or `value<TAB>description`, already filtered by the word's prefix), then a
 * directive line: `:0` (cobra's ShellCompDirectiveDefault: no candidates, so the shell completes file names) or `:4`
 * (ShellCompDirectiveNoFileComp). Commands and topics with
 * their aliases, flags (`--name`, `-c`), a flag's values (its declared options, or the `one of a|b|c` list of the
 * -o descriptions), and with a reachable cluster, as kubectl completes them: pod names for the pod argument (in the
 * `-n` namespace, else the context's) and namespaces for `-n`/`-i`/`--workload-namespace`, contexts for --context.
 * Anything that fails (no kubeconfig, a cluster that does not answer within 2 s) completes nothing, silently.
 */
import type {KubeApi} from '../kube/api.js'

/** What completion needs from a command (oclif's Command.Loadable, manifest shape). */
export interface CompletionCommand {
  id: string
  aliases?: string[]
  hidden?: boolean
  summary?: string
  description?: string
  flags: Record<string, {name: string; char?: string; type: 'boolean' | 'option'; options?: readonly string[]; description?: string; summary?: string; hidden?: boolean; allowNo?: boolean}>
  args: Record<string, {name: string; description?: string; options?: readonly string[]}>
}

export interface CompletionTree {
  bin: string
  commands: readonly CompletionCommand[]
  topics: ReadonlyArray<{name: string; description?: string; hidden?: boolean}>
}

export interface Completion {
  candidates: string[]
  files: boolean
}

/** Where dynamic values come from; absent (or failing): none. */
export interface DynamicValues {
  pods?: (namespace: string | undefined, kube: KubeFlags) => Promise<string[]>
  namespaces?: (kube: KubeFlags) => Promise<string[]>
  contexts?: (kube: KubeFlags) => Promise<string[]>
}

export interface KubeFlags {
  kubeconfig?: string
  context?: string
}

const NAMESPACE_FLAGS = new Set(['namespace', 'istio-namespace', 'workload-namespace'])
const FILE_FLAGS = new Set(['file', 'kubeconfig', 'spec'])

const firstLine = (s: string | undefined): string => (s ?? '').split('\n')[0]!.trim()

/** A flag's fixed values: its declared options, else the `one of a|b|c` its description lists (meshctl's -o flags). */
export function flagValues(flag: CompletionCommand['flags'][string]): string[] | undefined {
  if (flag.options?.length) return [...flag.options]
  const m = /\bone of ([\w-]+(?:\|[\w-]+)+)/.exec(flag.description ?? '')
  return m ? m[1]!.split('|') : undefined
}

/** Every name a command answers to (id and aliases), as word lists. */
function names(c: CompletionCommand): string[][] {
  return [c.id, ...(c.aliases ?? [])].map((n) => n.split(':'))
}

/** The command the leading words name (longest match), and how many words that took. */
function findCommand(tree: CompletionTree, words: readonly string[]): {command: CompletionCommand; used: number} | undefined {
  let best: {command: CompletionCommand; used: number} | undefined
  for (const c of tree.commands) {
    for (const n of names(c)) {
      if (n.length <= words.length && n.every((w, i) => words[i] === w) && (!best || n.length > best.used)) best = {command: c, used: n.length}
    }
  }
  return best
}

/** The flag a word names (`--name`, `--name=...`, `-c`), if the command has it. */
function flagOf(c: CompletionCommand, word: string): CompletionCommand['flags'][string] | undefined {
  if (word.startsWith('--')) {
    const name = word.slice(2).split('=')[0]!
    return c.flags[name] ?? (name.startsWith('no-') && c.flags[name.slice(3)]?.allowNo ? c.flags[name.slice(3)] : undefined)
  }
  if (/^-[^-]$/.test(word)) return Object.values(c.flags).find((f) => f.char === word[1])
  return undefined
}

/**
 * The completion of `words` (after the binary's name; the last is the word being completed, '' for a new one).
 * Dynamic values are asked only when the position wants them.
 */
export async function complete(given: CompletionTree, words: readonly string[], dynamic: DynamicValues = {}): Promise<Completion> {
  // oclif's config lists every alias again as a command of its own (id = the alias): keep the commands themselves
  const aliasIds = new Set(given.commands.flatMap((c) => c.aliases ?? []))
  const tree = {...given, commands: given.commands.filter((c) => !aliasIds.has(c.id))}
  const cur = words.at(-1) ?? ''
  const before = words.slice(0, -1)
  const match = (values: Iterable<string>): string[] => [...new Set(values)].filter((v) => v.split('\t')[0]!.startsWith(cur)).sort()
  const found = findCommand(tree, before)

  if (!found) {
    // a command or topic: the next word of every visible name that starts with the words typed so far
    if (before.some((w) => w.startsWith('-'))) return {candidates: [], files: false}
    // names (the id's words) come first; an alias (pc, ps, c for clusters) only when no name starts with the word
    const next = {name: new Map<string, string>(), alias: new Map<string, string>()}
    for (const c of tree.commands) {
      if (c.hidden || c.id.startsWith('__')) continue
      const id = c.id.split(':')
      for (const n of names(c)) {
        if (n.length <= before.length || !before.every((w, i) => n[i] === w)) continue
        const word = n[before.length]!
        const isLeaf = n.length === before.length + 1
        const topic = tree.topics.find((t) => t.name === n.slice(0, before.length + 1).join(':'))
        const description = isLeaf ? firstLine(c.summary ?? c.description) : firstLine(topic?.description)
        const into = id[before.length] === word ? next.name : next.alias
        if (!into.has(word) || isLeaf) into.set(word, description)
      }
    }
    if (cur.startsWith('-') && before.length === 0) return {candidates: match(['--help', '--version']), files: false}
    const offer = (m: Map<string, string>): string[] => match([...m].map(([w, d]) => (d ? `${w}\t${d}` : w)))
    const names_ = offer(next.name)
    return {candidates: names_.length ? names_ : offer(next.alias), files: false}
  }

  const c = found.command
  const rest = before.slice(found.used)
  // `help <command words>` completes the command words
  if (c.id === 'help' && !cur.startsWith('-')) return complete(given, [...rest, cur])
  const kube: KubeFlags = {}
  let namespace: string | undefined
  for (let i = 0; i < rest.length; i++) {
    const f = flagOf(c, rest[i]!)
    if (f?.type !== 'option') continue
    const value = rest[i]!.includes('=') ? rest[i]!.split(/=(.*)/s)[1] : rest[++i]
    if (f.name === 'kubeconfig') kube.kubeconfig = value
    if (f.name === 'context') kube.context = value
    if (f.name === 'namespace') namespace = value
  }

  // the value of the flag just before
  const prev = before.at(-1)
  const prevFlag = prev !== undefined && !prev.includes('=') && before.length > found.used ? flagOf(c, prev) : undefined
  const inline = cur.startsWith('-') && cur.includes('=') ? flagOf(c, cur) : undefined
  const valueFlag = inline ?? (prevFlag?.type === 'option' ? prevFlag : undefined)
  if (valueFlag) {
    const prefix = inline ? `${cur.split('=')[0]}=` : ''
    const typed = inline ? cur.slice(prefix.length) : cur
    const offer = (values: string[]): Completion => ({candidates: [...new Set(values)].filter((v) => v.startsWith(typed)).sort().map((v) => prefix + v), files: false})
    const fixed = flagValues(valueFlag)
    if (fixed) return offer(fixed)
    if (FILE_FLAGS.has(valueFlag.name)) return {candidates: [], files: true}
    if (NAMESPACE_FLAGS.has(valueFlag.name)) return offer((await quietly(dynamic.namespaces?.(kube))) ?? [])
    if (valueFlag.name === 'context') return offer((await quietly(dynamic.contexts?.(kube))) ?? [])
    return {candidates: [], files: false}
  }

  if (cur.startsWith('-')) {
    const flags: string[] = ['--help']
    for (const f of Object.values(c.flags)) {
      if (f.hidden) continue
      const d = firstLine(f.summary ?? f.description)
      flags.push(d ? `--${f.name}\t${d}` : `--${f.name}`)
      if (f.allowNo) flags.push(`--no-${f.name}`)
      if (f.char) flags.push(d ? `-${f.char}\t${d}` : `-${f.char}`)
    }
    return {candidates: match(flags), files: false}
  }

  // a positional argument: mostly a pod (`pod`; rootca-compare's `podA`, `podB`), where kubectl completes pod names
  const positionals = countPositionals(c, rest)
  const args = Object.values(c.args)
  if (positionals < args.length && args[positionals]!.options?.length) return {candidates: match(args[positionals]!.options!), files: false}
  if (positionals < args.length && /^pod/.test(args[positionals]!.name)) {
    // `<type>/<name>` references are left alone; `name` completes pods of the namespace
    if (cur.includes('/')) return {candidates: [], files: false}
    return {candidates: match((await quietly(dynamic.pods?.(namespace, kube))) ?? []), files: false}
  }
  return {candidates: [], files: false}
}

function countPositionals(c: CompletionCommand, rest: readonly string[]): number {
  let n = 0
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!
    if (w.startsWith('-')) {
      const f = flagOf(c, w)
      if (f?.type === 'option' && !w.includes('=')) i++
    } else n++
  }
  return n
}

async function quietly<T>(p: Promise<T> | undefined): Promise<T | undefined> {
  try {
    return await p
  } catch {
    return undefined
  }
}

/** The answer as `__complete` prints it. */
export function formatCompletion(c: Completion): string {
  return [...c.candidates, c.files ? ':0' : ':4'].join('\n') + '\n'
}

/** Time limit of each cluster request made while completing: a TAB must not hang. */
export const COMPLETION_TIMEOUT_MS = 2000

/** Pods, namespaces and contexts from the cluster, through the same kubeconfig handling as every command. */
export function clusterValues(): DynamicValues {
  const open = async (kube: KubeFlags, namespace?: string): Promise<KubeApi> => {
    const {KubeApi} = await import('../kube/api.js')
    return KubeApi.open({kubeconfig: kube.kubeconfig, context: kube.context, namespace, timeoutMs: COMPLETION_TIMEOUT_MS})
  }
  return {
    async pods(namespace, kube) {
      const api = await open(kube, namespace)
      const {listPods} = await import('../kube/pods.js')
      return (await listPods(api, api.namespace, '')).map((p) => p.metadata.name)
    },
    async namespaces(kube) {
      const api = await open(kube)
      const list = await api.get<{items?: Array<{metadata: {name: string}}>}>('/api/v1/namespaces', 'listing namespaces')
      return (list.items ?? []).map((n) => n.metadata.name)
    },
    async contexts(kube) {
      const {KubeConfig} = await import('../kube/client-node.js')
      const kc = new KubeConfig()
      if (kube.kubeconfig) kc.loadFromFile(kube.kubeconfig)
      else kc.loadFromDefault()
      return kc.getContexts().map((c) => c.name)
    },
  }
}

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const
export type Shell = (typeof SHELLS)[number]

/** The completion script of a shell for `bin` (also registered for `kubectl-<bin>`, the kubectl plugin's name). */
export function completionScript(shell: Shell, bin: string): string {
  const fn = `_${bin.replace(/\W/g, '_')}_complete`
  switch (shell) {
    case 'bash':
      return `# ${bin} completion for bash. Load it in this shell with
#   source <(${bin} completion bash)
# or for every shell: ${bin} completion bash > ~/.local/share/bash-completion/completions/${bin}
${fn}() {
  local cur words cword
  if declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
    _get_comp_words_by_ref -n =: cur words cword
  else
    # without bash-completion, COMP_WORDS splits --flag=value at the =: join them again
    local i w
    words=()
    for ((i = 0; i <= COMP_CWORD; i++)); do
      w="\${COMP_WORDS[i]}"
      if ((i > 1)) && [[ $w == = || \${COMP_WORDS[i-1]} == = ]]; then words[-1]+="$w"; else words+=("$w"); fi
    done
    cword=$((\${#words[@]} - 1)); cur="\${words[cword]}"
  fi
  local out
  out=$("\${words[0]}" __complete -- "\${words[@]:1:cword-1}" "$cur" 2>/dev/null) || return 0
  local directive="\${out##*$'\\n'}" line
  COMPREPLY=()
  if [[ $directive == :0 ]]; then
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    compopt -o filenames 2>/dev/null
    return 0
  fi
  # readline replaces only what follows the last = of --flag=value (= is in COMP_WORDBREAKS)
  local strip=
  if [[ $cur == -*=* && $COMP_WORDBREAKS == *=* ]]; then strip="\${cur%%=*}="; fi
  while IFS= read -r line; do
    [[ -z $line || $line == :* ]] && continue
    line="\${line%%$'\\t'*}"
    COMPREPLY+=("\${line#"$strip"}")
  done <<< "$out"
  if declare -F __ltrim_colon_completions >/dev/null 2>&1; then __ltrim_colon_completions "$cur"; fi
}
complete -F ${fn} ${bin}
complete -F ${fn} kubectl-${bin}
`
    case 'zsh':
      return `#compdef ${bin} kubectl-${bin}
# ${bin} completion for zsh. Load it in this shell with
#   source <(${bin} completion zsh)
# or for every shell: ${bin} completion zsh > "\${fpath[1]}/_${bin}" (compinit must run in ~/.zshrc)
${fn}() {
  local -a lines values
  local out directive line
  out=$("\${words[1]}" __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
  lines=("\${(@f)out}")
  directive=\${lines[-1]}
  if [[ $directive == :0 ]]; then
    _files
    return
  fi
  for line in "\${(@)lines[1,-2]}"; do
    [[ -z $line ]] && continue
    if [[ $line == *$'\\t'* ]]; then
      values+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}")
    else
      values+=("\${line//:/\\\\:}")
    fi
  done
  _describe -t values '${bin}' values
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${bin} kubectl-${bin}
fi
`
    case 'fish':
      return `# ${bin} completion for fish. Load it in this shell with
#   ${bin} completion fish | source
# or for every shell: ${bin} completion fish > ~/.config/fish/completions/${bin}.fish
function __${bin.replace(/\W/g, '_')}_complete
    set -l tokens (commandline -opc)
    set -l out ($tokens[1] __complete -- $tokens[2..-1] (commandline -ct) 2>/dev/null)
    or return
    test (count $out) -gt 0; or return
    if test "$out[-1]" = ":0"
        __fish_complete_path (commandline -ct)
        return
    end
    if test (count $out) -gt 1
        printf '%s\\n' $out[1..-2]
    end
end
complete -c ${bin} -f -a '(__${bin.replace(/\W/g, '_')}_complete)'
complete -c kubectl-${bin} -f -a '(__${bin.replace(/\W/g, '_')}_complete)'
`
    case 'powershell':
      return `# ${bin} completion for PowerShell (7.3 or newer: an empty word must reach ${bin} as an argument). Load it with
#   ${bin} completion powershell | Out-String | Invoke-Expression
# or add that line to your $PROFILE.
$__${bin.replace(/\W/g, '_')}Completer = {
    param($wordToComplete, $commandAst, $cursorPosition)
    # the words before the one being completed (which is passed on its own, '' for a new word)
    $elements = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -lt $cursorPosition })
    $exe = $elements[0].ToString()
    $before = @($elements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
    $out = @(& $exe __complete '--' @before $wordToComplete 2>$null)
    if ($out.Count -eq 0) { return }
    if ($out[-1] -eq ':0') {
        Get-ChildItem -Path "$wordToComplete*" -ErrorAction SilentlyContinue | ForEach-Object {
            [System.Management.Automation.CompletionResult]::new($_.Name, $_.Name, 'ProviderItem', $_.Name)
        }
        return
    }
    $out | Select-Object -SkipLast 1 | Where-Object { $_ -ne '' } | ForEach-Object {
        $parts = $_ -split "\`t", 2
        $tip = if ($parts.Count -gt 1 -and $parts[1]) { $parts[1] } else { $parts[0] }
        [System.Management.Automation.CompletionResult]::new($parts[0], $parts[0], 'ParameterValue', $tip)
    }
}
Register-ArgumentCompleter -Native -CommandName '${bin}', 'kubectl-${bin}' -ScriptBlock $__${bin.replace(/\W/g, '_')}Completer
`
  }
}
