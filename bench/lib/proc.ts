/**
 * Timing whole processes. Every child is spawned asynchronously (the sandbox cluster runs in this process and must
 * keep serving while a child talks to it).
 *
 * - Wall time: from just before spawn() to the child's 'close' (exit + stdio closed), measured here with
 *   performance.now().
 * - Peak memory: GNU time's `%M` (the child's ru_maxrss, in KB, which covers the process it waits for and any
 *   descendants it reaped) written with `-o` to a file, so the child's own stderr stays untouched. The wrapper
 *   costs about a millisecond of fork/exec; start-up measurements (where that matters) are timed without it and
 *   take their peak memory from the wrapped warm-up run.
 * - Standard output goes to /dev/null in timed runs; the warm-up run counts its bytes and lines instead, as a
 *   check that the command printed what it should.
 */
import {spawn} from 'node:child_process'
import {closeSync, mkdirSync, openSync, readFileSync, rmSync} from 'node:fs'
import path from 'node:path'
import {performance} from 'node:perf_hooks'

export const TIME_BIN = '/usr/bin/time'

export interface Cmd {
  /** short unique label, e.g. `meshctl pc clusters -f 10k` */
  label: string
  argv: string[]
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** wrap timed runs with /usr/bin/time (default true); the warm-up run is always wrapped */
  wrapTimed?: boolean
  /** called before every run (warm-up included) and after it; the value is kept per timed run */
  probe?: {reset(): void; read(): number}
  /** exit codes that mean success (default [0]; `check` exits 10 when it finds what it looks for) */
  okCodes?: readonly number[]
}

const succeeded = (cmd: Cmd, code: number | null): boolean => code !== null && (cmd.okCodes ?? [0]).includes(code)

export interface RunResult {
  ms: number
  code: number | null
  signal: NodeJS.Signals | null
  /** peak RSS in KB (only when wrapped) */
  rssKB?: number
  /** user + system CPU time of the child in ms, 10 ms resolution (only when wrapped) */
  cpuMs?: number
  /** the last 4 KB of stderr */
  stderr: string
  stdoutBytes?: number
  stdoutLines?: number
  /** the whole standard output, with `capture` */
  stdout?: string
  probe?: number
}

export interface Stats {
  label: string
  argv: string[]
  runs: number[]
  median: number
  min: number
  max: number
  /** highest peak RSS seen over the wrapped runs (KB) */
  rssKB?: number
  /** median user + system CPU of the wrapped runs (ms) */
  cpuMs?: number
  /** exit code of the warm-up run (timed runs are skipped when it is not 0) */
  code: number | null
  ok: boolean
  stderr: string
  stdoutBytes?: number
  stdoutLines?: number
  /** probe values of the timed runs */
  probes?: number[]
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

let tmpDir = ''
let seq = 0

export function setTmpDir(dir: string): void {
  mkdirSync(dir, {recursive: true})
  tmpDir = dir
}

/** Runs one command to completion. */
export async function runOnce(cmd: Cmd, opts: {wrap: boolean; countStdout: boolean; capture?: boolean; timeoutMs?: number}): Promise<RunResult> {
  const timeFile = opts.wrap ? path.join(tmpDir, `time-${process.pid}-${seq++}.txt`) : ''
  const argv = opts.wrap ? [TIME_BIN, '-f', '%e %M %U %S', '-o', timeFile, ...cmd.argv] : cmd.argv
  const devnull = opts.countStdout ? -1 : openSync('/dev/null', 'w')
  cmd.probe?.reset()
  let stdoutBytes = 0
  let stdoutLines = 0
  let stderr = ''
  const captured: Buffer[] = []
  const t0 = performance.now()
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: cmd.cwd,
    env: cmd.env ?? process.env,
    stdio: ['ignore', opts.countStdout ? 'pipe' : devnull, 'pipe'],
  })
  if (devnull >= 0) closeSync(devnull)
  child.stdout?.on('data', (b: Buffer) => {
    stdoutBytes += b.length
    if (opts.capture) captured.push(b)
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) stdoutLines++
  })
  child.stderr!.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString('utf8')).slice(-4096)
  })
  let timer: NodeJS.Timeout | undefined
  if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (c, s) => resolve([c, s]))
  })
  const ms = performance.now() - t0
  if (timer) clearTimeout(timer)
  const r: RunResult = {ms, code, signal, stderr}
  if (opts.countStdout) {
    r.stdoutBytes = stdoutBytes
    r.stdoutLines = stdoutLines
    if (opts.capture) r.stdout = Buffer.concat(captured).toString('utf8')
  }
  if (cmd.probe) r.probe = cmd.probe.read()
  if (opts.wrap) {
    try {
      // GNU time writes "Command exited with non-zero status N" first when the command fails
      const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? ''
      const m = /^([\d.]+) (\d+) ([\d.]+) ([\d.]+)$/.exec(last)
      if (m) {
        r.rssKB = Number(m[2])
        r.cpuMs = Math.round((Number(m[3]) + Number(m[4])) * 1000)
      }
    } catch {
      // no time file: the wrapper itself failed; the exit code says so
    }
    rmSync(timeFile, {force: true})
  }
  return r
}

export interface GroupOptions {
  runs: number
  /** warm-up runs per command (at least 1: its output is counted and its exit code checked) */
  warmup?: number
  timeoutMs?: number
  /** progress lines go here */
  log?: (line: string) => void
}

/**
 * Measures commands side by side: warm-up of each, then `runs` rounds running every command once (order reversed
 * on odd rounds), so that a baseline and what is compared with it see the same machine state. A command whose
 * warm-up fails is not timed further.
 */
export async function measureGroup(cmds: Cmd[], opts: GroupOptions): Promise<Map<string, Stats>> {
  const out = new Map<string, Stats>()
  const samples = new Map<string, RunResult[]>()
  const log = opts.log ?? (() => {})
  for (const cmd of cmds) {
    let first: RunResult | undefined
    for (let i = 0; i < Math.max(1, opts.warmup ?? 1); i++) {
      const r = await runOnce(cmd, {wrap: true, countStdout: i === 0, timeoutMs: opts.timeoutMs})
      first ??= r
      if (!succeeded(cmd, r.code)) break
    }
    const w = first!
    const ok = succeeded(cmd, w.code)
    out.set(cmd.label, {
      label: cmd.label,
      argv: cmd.argv,
      runs: [],
      median: Number.NaN,
      min: Number.NaN,
      max: Number.NaN,
      rssKB: w.rssKB,
      code: w.code,
      ok,
      stderr: w.stderr,
      stdoutBytes: w.stdoutBytes,
      stdoutLines: w.stdoutLines,
    })
    samples.set(cmd.label, [])
    log(`  warm-up ${cmd.label}: ${ok ? `${fmtMs(w.ms)}, ${w.stdoutLines} lines` : `FAILED (exit ${w.code ?? w.signal}): ${lastLine(w.stderr)}`}`)
  }
  const live = cmds.filter((c) => out.get(c.label)!.ok)
  for (let round = 0; round < opts.runs; round++) {
    const order = round % 2 ? [...live].reverse() : live
    for (const cmd of order) {
      const r = await runOnce(cmd, {wrap: cmd.wrapTimed ?? true, countStdout: false, timeoutMs: opts.timeoutMs})
      const s = out.get(cmd.label)!
      if (!succeeded(cmd, r.code)) {
        s.ok = false
        s.code = r.code
        s.stderr = r.stderr
      }
      samples.get(cmd.label)!.push(r)
    }
  }
  for (const cmd of live) {
    const s = out.get(cmd.label)!
    const rs = samples.get(cmd.label)!
    s.runs = rs.map((r) => r.ms)
    if (s.runs.length) {
      s.median = median(s.runs)
      s.min = Math.min(...s.runs)
      s.max = Math.max(...s.runs)
    }
    const rss = rs.map((r) => r.rssKB).filter((x): x is number => x !== undefined)
    if (rss.length) s.rssKB = Math.max(s.rssKB ?? 0, ...rss)
    const cpu = rs.map((r) => r.cpuMs).filter((x): x is number => x !== undefined)
    if (cpu.length) s.cpuMs = median(cpu)
    if (cmd.probe) s.probes = rs.map((r) => r.probe!)
    log(`  ${cmd.label}: median ${fmtMs(s.median)} (${fmtMs(s.min)}–${fmtMs(s.max)})${s.rssKB ? `, peak RSS ${fmtKB(s.rssKB)}` : ''}${s.ok ? '' : ' FAILED'}`)
  }
  return out
}

export function lastLine(s: string): string {
  return s.trim().split('\n').pop() ?? ''
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-'
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 100 ? 1 : 0)} ms`
}

/** ru_maxrss is in KiB; shown in decimal units like file sizes (1 MB = 10^6 bytes) */
export function fmtKB(kb: number | undefined): string {
  if (kb === undefined) return '-'
  return fmtBytes(kb * 1024)
}

export function fmtBytes(b: number): string {
  return b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(b >= 1e8 ? 0 : 1)} MB` : `${(b / 1e3).toFixed(0)} KB`
}
