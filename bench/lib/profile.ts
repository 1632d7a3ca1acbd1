/**
 * One run under `node --cpu-prof`, summarised: self time by code origin (node's internals, each package under
 * node_modules, meshctl's own modules, V8 builtins, GC) and the functions with the most self time. Used to explain a
 * missed target with measurements rather than guesses.
 */
import {mkdirSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import path from 'node:path'
import {type Cmd, runOnce} from './proc.js'

interface ProfileNode {
  id: number
  callFrame: {functionName: string; url: string; lineNumber: number}
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileSummary {
  label: string
  /** wall time of the profiled run (ms), profiler overhead included */
  wallMs: number
  /** time covered by the profile (ms) */
  profiledMs: number
  byOrigin: Array<{origin: string; ms: number}>
  topFunctions: Array<{fn: string; where: string; ms: number}>
}

function originOf(url: string, fn: string, root: string): string {
  if (fn === '(garbage collector)') return 'GC'
  if (fn === '(program)' || fn === '(idle)' || fn === '(root)') return 'V8/native (program)'
  if (!url) return 'V8 builtins (JSON.parse, RegExp, ...)'
  if (url.startsWith('node:')) return url.startsWith('node:internal/modules') ? 'node: module loader' : 'node: internals'
  const p = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url
  const nm = p.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const rest = p.slice(nm + 14).split('/')
    return `node_modules/${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`
  }
  const rel = path.relative(root, p)
  // scripts/bundle.js: oclif, chalk and meshctl's CLI code in one code-split bundle
  if (rel.startsWith('dist/bundle/')) return 'meshctl bundle (oclif + meshctl)'
  if (rel.startsWith('dist/')) {
    const parts = rel.split('/')
    return `meshctl ${parts.slice(0, -1).join('/')}/${parts.at(-1)}`
  }
  return rel.startsWith('..') ? p : rel
}

function shortFile(url: string, root: string): string {
  if (url.startsWith('node:')) return url
  const p = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url
  const nm = p.lastIndexOf('/node_modules/')
  if (nm >= 0) return p.slice(nm + 14)
  const rel = path.relative(root, p)
  return rel.startsWith('..') ? p : rel
}

export function summarise(profile: CpuProfile, root: string, label: string, wallMs: number, top = 10): ProfileSummary {
  const self = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0))
  const byOrigin = new Map<string, number>()
  const byFn = new Map<string, {fn: string; where: string; us: number}>()
  for (const n of profile.nodes) {
    const us = self.get(n.id) ?? 0
    if (!us) continue
    const {functionName, url, lineNumber} = n.callFrame
    const origin = originOf(url, functionName, root)
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + us)
    const fn = functionName || '(anonymous)'
    const where = url ? `${shortFile(url, root)}:${lineNumber + 1}` : origin
    const key = `${fn}@${where}`
    const e = byFn.get(key) ?? {fn, where, us: 0}
    e.us += us
    byFn.set(key, e)
  }
  const ms = (us: number): number => Math.round(us / 100) / 10
  return {
    label,
    wallMs,
    profiledMs: ms(profile.endTime - profile.startTime),
    byOrigin: [...byOrigin].sort((a, b) => b[1] - a[1]).map(([origin, us]) => ({origin, ms: ms(us)})),
    topFunctions: [...byFn.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({fn: e.fn, where: e.where, ms: ms(e.us)})),
  }
}

/** Runs `cmd` (whose argv must start with the node binary) once under --cpu-prof and summarises the profile. */
export async function profileRun(cmd: Cmd, root: string, dir: string): Promise<ProfileSummary | undefined> {
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(dir, {recursive: true})
  const [node, ...rest] = cmd.argv
  const r = await runOnce({...cmd, argv: [node!, '--cpu-prof', '--cpu-prof-dir', dir, ...rest]}, {wrap: false, countStdout: false})
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
  if (r.code !== 0 || files.length === 0) return undefined
  const profile = JSON.parse(readFileSync(path.join(dir, files[0]!), 'utf8')) as CpuProfile
  rmSync(dir, {recursive: true, force: true})
  return summarise(profile, root, cmd.label, r.ms)
}
