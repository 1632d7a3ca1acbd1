/**
 * The process edge: runs oclif, turns every error into one `Error: ...` line on stderr and an exit code,
 * and never prints a stack trace unless MESHCTL_DEBUG=1.
 */
import {fileURLToPath} from 'node:url'
import {Config} from '@oclif/core/config'
import {flush} from '@oclif/core/flush'
import type {LoadOptions} from '@oclif/core/interfaces'
import {run} from '@oclif/core/run'
import {debugEnabled, ExitCode, isMeshctlError, UsageError} from '../errors/index.js'
import {type QuickSource, quickCommand, quickConfig, runQuickly, sourceFrom} from './fast-start.js'
import {isWatchCommandLine, watchStopSignal} from './signals.js'

export {exitWhenWritten, LINGER_MS} from './exit.js'

interface OclifLikeError extends Error {
  oclif?: {exit?: number}
  code?: string
}

/** oclif rewrites errors thrown while parsing a flag as "Parsing --flag\n\t<message>\nSee more help with --help". */
function unwrapOclif(message: string): string {
  // the note can be followed by our hint (`... localhost See more help with --help; use e.g. ...`): removed wherever it is
  return message.replace(/^Parsing --\S+\s+/, '').replace(/\s*See more help with --help/g, '').trim()
}

/** Maps any thrown value to the line to print and the exit code. Exported for tests. */
export function describeError(err: unknown): {message: string; exitCode: number; silent: boolean} {
  if (isMeshctlError(err)) return {message: unwrapOclif(err.oneLine), exitCode: err.exitCode, silent: false}
  const e = err as OclifLikeError
  // oclif's ExitError (this.exit(n)) carries only a code: leave quietly
  if (e?.code === 'EEXIT') return {message: '', exitCode: e.oclif?.exit ?? 0, silent: true}
  if (e && typeof e === 'object' && e.oclif && typeof e.oclif.exit === 'number') {
    // parse errors and this.error(): oclif's messages can span lines; keep the first meaningful one
    // oclif wraps flag-validation errors as "Parsing --flag <our message>\nSee more help with --help"
    const first = (
      String(e.message ?? '')
        .split('\n')
        .map((l) => l.trim())
        .find((l) => l.length > 0) ?? 'invalid command line'
    ).replace(/^Parsing --\S+\s+/, '')
    const usage = /See more help with --help/.test(String(e.message)) || e.oclif.exit === 2
    return {message: usage ? `${first} (see --help)` : first, exitCode: e.oclif.exit, silent: false}
  }
  if (e && typeof e === 'object' && (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED')) {
    return {message: '', exitCode: ExitCode.OK, silent: true}
  }
  const message = e instanceof Error ? e.message : String(err)
  return {message: `${message.replace(/\s*\n\s*/g, ' ')} (unexpected; rerun with MESHCTL_DEBUG=1 for details)`, exitCode: ExitCode.FAILURE, silent: false}
}

/** What the pre-parse needs to know of a command's flag (as oclif's manifest has it). */
export interface FlagShape {
  name: string
  type: 'boolean' | 'option'
  char?: string
  aliases?: string[]
  allowNo?: boolean
  multiple?: boolean
  default?: unknown
}

// Go's strconv.ParseBool, as pflag (kubectl, istioctl) accepts for --flag=<bool>
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False'])

/**
 * Makes a command line mean what it means to kubectl/istioctl (pflag) before oclif parses it:
 *
 * - `--x=true` / `--x=false` on a boolean. oclif splits `--x=false` at `=`, puts `false` back in front of the
 *   remaining arguments and parses `--x`; a boolean takes no value, so the flag is turned ON and `false` is left
 *   as a positional argument (`pod "false" not found`). Here it becomes `--x` / `--no-x`; for a boolean without a
 *   `--no-` form whose default is off, `--x=false` is the default and is dropped; any other value is a usage error.
 * - a repeated option flag (`-o yaml -o json`): oclif refuses it; pflag keeps the last, so only the last is kept.
 * - `-h` is `--help` (unless the command has a `-h` of its own).
 *
 * Nothing after `--` is touched. `flags` are the command's (none when it is unknown).
 */
export function normalizeCommandArgv(argv: readonly string[], flags: readonly FlagShape[]): string[] {
  const byLong = new Map<string, FlagShape>()
  const byChar = new Map<string, FlagShape>()
  for (const f of flags) {
    byLong.set(f.name, f)
    for (const a of f.aliases ?? []) byLong.set(a, f)
    if (f.char) byChar.set(f.char, f)
  }
  const isFlagToken = (t: string | undefined): boolean =>
    t !== undefined && ((t.startsWith('--') && byLong.has(t.slice(2).split('=')[0]!)) || (/^-[^-]/.test(t) && byChar.has(t[1]!)))
  // each token group: the tokens and, for an option flag, the flag it sets
  const groups: Array<{tokens: string[]; option?: FlagShape}> = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') {
      groups.push({tokens: argv.slice(i)})
      break
    }
    if (a === '-h' && !byChar.has('h')) {
      groups.push({tokens: ['--help']})
      continue
    }
    let flag: FlagShape | undefined
    let inline = false
    if (a.startsWith('--')) {
      const eq = a.indexOf('=')
      flag = byLong.get(a.slice(2, eq === -1 ? undefined : eq))
      if (flag?.type === 'boolean' && eq !== -1) {
        const name = a.slice(2, eq)
        const value = a.slice(eq + 1)
        if (GO_TRUE.has(value)) groups.push({tokens: [`--${name}`]})
        else if (!GO_FALSE.has(value)) throw new UsageError(`invalid argument "${value}" for "--${name}" flag: use true or false`)
        else if (flag.allowNo) groups.push({tokens: [`--no-${name}`]})
        else if (flag.default !== true) {
          // off is its default: nothing to set
        } else throw new UsageError(`--${name} cannot be turned off`)
        continue
      }
      inline = eq !== -1
    } else if (/^-[^-]/.test(a)) {
      flag = byChar.get(a[1]!)
      inline = a.length > 2
    }
    if (flag?.type !== 'option') {
      groups.push({tokens: [a]})
      continue
    }
    // an option's value is the next token, unless given inline or the next token is a flag (oclif then complains)
    if (!inline && i + 1 < argv.length && !isFlagToken(argv[i + 1])) {
      groups.push({tokens: [a, argv[i + 1]!], option: flag})
      i++
    } else groups.push({tokens: [a], option: flag})
  }
  const last = new Map<string, number>()
  groups.forEach((g, i) => {
    if (g.option && !g.option.multiple) last.set(g.option.name, i)
  })
  return groups.filter((g, i) => !g.option || g.option.multiple || last.get(g.option.name) === i).flatMap((g) => g.tokens)
}

/** Levenshtein distance (insertions, deletions, substitutions), for "did you mean". */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = cur
  }
  return prev[b.length]!
}

/** The closest of `candidates` to `word`, if close enough to be a typo (at most a third of its letters, at least 2). */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: {c: string; d: number} | undefined
  for (const c of candidates) {
    const d = editDistance(word, c)
    if (!best || d < best.d || (d === best.d && c.length > best.c.length)) best = {c, d}
  }
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.c : undefined
}

interface Resolved {
  /** how many leading words name the command or topic */
  words: number
  flags: FlagShape[]
  /** the command's id, when the words name one */
  id?: string
}

/**
 * Finds the command the leading words of argv name; throws a usage error naming the closest command for words that
 * name neither a command nor a topic (`pc clustrs`: did you mean "pc clusters"?), in the words the user typed.
 * Hidden topic aliases (`pc`) asked for help show the topic they stand for, whose help lists each command once.
 */
function resolve(config: Config, argv: string[]): {argv: string[]; resolved: Resolved} {
  const words: string[] = []
  for (const a of argv) {
    if (a.startsWith('-')) break
    const id = [...words, a].join(':')
    const cmd = config.findCommand(id)
    if (cmd) {
      const flags = Object.values(cmd.flags ?? {}) as FlagShape[]
      // help takes any words after it
      return {argv, resolved: {words: words.length + 1, flags, id: cmd.id}}
    }
    if (!config.findTopic(id)) {
      const prefix = words.length > 0 ? `${words.join(':')}:` : ''
      const siblings = new Set<string>()
      for (const c of [...config.commandIDs, ...config.topics.map((t) => t.name)]) {
        if (c.startsWith(prefix)) siblings.add(c.slice(prefix.length).split(':')[0]!)
      }
      const near = suggest(a, siblings)
      const typed = [...words, a].join(' ')
      const bin = config.bin
      const help = `${bin}${words.length > 0 ? ` ${words.join(' ')}` : ''} --help`
      throw new UsageError(`unknown command "${typed}"${near ? `; did you mean "${[...words, near].join(' ')}"?` : ''} (see ${help})`)
    }
    words.push(a)
  }
  // a topic (or nothing): its help; a hidden alias of a topic stands for the topic
  if (words.length === 1) {
    const topic = config.findTopic(words[0]!)
    const of = topic?.hidden ? /^Alias of (\S+)$/.exec(topic.description ?? '')?.[1] : undefined
    if (of) argv = [of, ...argv.slice(1)]
  }
  return {argv, resolved: {words: words.length, flags: []}}
}

/**
 * Runs meshctl on `argv`. `options` is what oclif's `run()` loads its configuration from: by default this module's
 * URL (oclif finds package.json and the manifest from there); the single executable passes the package.json
 * fields and a root plugin it embeds (src/cli/binary.ts), since it has no files to find (a function making them:
 * called only when oclif's path is taken). `quick` is what the configuration of a quick start is made of
 * (src/cli/fast-start.ts): by default package.json and the manifest found from this module, as oclif would find them.
 */
export async function main(argv: string[], options: LoadOptions | (() => Promise<LoadOptions>) = import.meta.url, quick?: QuickSource): Promise<void> {
  // a reader that goes away (`| head`) is not an error
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw err
  })
  // ps -w: Ctrl-C means "stop watching" (exit 0) from the first moment, also while oclif loads the command
  if (isWatchCommandLine(argv)) watchStopSignal()
  try {
    // a command named by the manifest starts without oclif's Config.load; anything else (help, topics, unknown
    // words, --help, --version) goes through oclif as before
    if (!(await startQuickly(argv, options, quick))) {
      const opts = typeof options === 'function' ? await options() : options
      const config = await Config.load(typeof opts === 'string' && opts.startsWith('file:') ? fileURLToPath(opts) : opts)
      const r = resolve(config, argv)
      const rest = normalizeCommandArgv(r.argv.slice(r.resolved.words), r.resolved.flags)
      await run([...r.argv.slice(0, r.resolved.words), ...rest], config)
    }
    await flush()
  } catch (err) {
    const {message, exitCode, silent} = describeError(err)
    if (!silent) {
      if (debugEnabled() && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`)
      process.stderr.write(`Error: ${message}\n`)
    }
    process.exitCode = exitCode
  }
}

/**
 * Runs the command argv names from a configuration made without oclif's Config.load, when that can be done exactly as
 * oclif would (src/cli/fast-start.ts); false (nothing done) otherwise. The command line is resolved and normalised as
 * on oclif's path, and the command is found as oclif's `run()` finds it; an error of the command line (a bad flag
 * value) is thrown as that path throws it.
 */
async function startQuickly(argv: string[], options: LoadOptions | (() => Promise<LoadOptions>), quick: QuickSource | undefined): Promise<boolean> {
  const src = quick ?? (typeof options === 'string' && options.startsWith('file:') ? sourceFrom(fileURLToPath(options)) : undefined)
  if (!src || argv.length === 0 || argv[0]!.startsWith('-')) return false
  // a source given by the caller (the single executable) has no user plugins; oclif's path reads them from files
  const config = quickConfig(src, {userPlugins: quick ? false : undefined})
  if (!config) return false
  let r: ReturnType<typeof resolve>
  try {
    r = resolve(config, argv)
  } catch {
    // an unknown command: worded from oclif's configuration ("did you mean" takes the first of equally close names)
    return false
  }
  if (r.resolved.id === undefined) return false
  const line = [...r.argv.slice(0, r.resolved.words), ...normalizeCommandArgv(r.argv.slice(r.resolved.words), r.resolved.flags)]
  const found = quickCommand(config, line)
  if (!found) return false
  await runQuickly(config, found.id, found.argv)
  return true
}
