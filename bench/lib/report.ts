/** Printing the results: a plain-text table for the terminal and BENCHMARKS.md. */
import {existsSync, readFileSync} from 'node:fs'
import {fmtKB, fmtMs} from './proc.js'
import type {ProfileSummary} from './profile.js'
import type {Machine, Phases, Row, SectionResult} from './types.js'

const HEAD = ['measurement', 'runs', 'median', 'min–max', 'peak RSS', 'ratio', 'target', 'result']

function cells(r: Row): string[] {
  const timed = r.median !== undefined && Number.isFinite(r.median)
  return [
    r.measurement,
    r.runs ? String(r.runs) : '',
    timed ? fmtMs(r.median!) : '',
    timed ? `${fmtMs(r.min!)}–${fmtMs(r.max!)}` : '',
    r.rssKB ? fmtKB(r.rssKB) : '',
    r.ratio ?? '',
    r.target ?? '',
    r.verdict === 'baseline' || r.verdict === 'info' ? r.verdict : r.verdict.toUpperCase(),
  ]
}

/** Fixed-width text table. */
export function textTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)))
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 2))).join('').trimEnd()).join('\n')
}

export function consoleReport(sections: SectionResult[]): string {
  const out: string[] = []
  for (const s of sections) {
    out.push('', `== ${s.title} — ${s.verdict.toUpperCase()}${s.mode.startsWith('earlier') ? ` (${s.mode})` : ''}${s.load ? ` [load ${s.load.before} → ${s.load.after}]` : ''}`)
    out.push(textTable([HEAD, ...s.rows.map(cells)]))
    for (const r of s.rows) if (r.note) out.push(`  * ${r.measurement}: ${r.note}`)
  }
  return out.join('\n')
}

const esc = (s: string): string => s.replace(/\|/g, '\\|')

function mdTable(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n')
}

function machineLines(m: Machine): string {
  return mdTable(
    ['', ''],
    [
      ['date', m.date],
      ['CPUs (nproc)', String(m.cpus)],
      ['CPU model', m.cpuModel],
      ['memory', m.memory],
      ['kernel', m.kernel],
      ['Node.js', m.node],
      ['kubectl', m.kubectl],
      ['jq', m.jq],
    ],
  )
}

const PHASE_ORDER = ['import', 'read', 'utf8', 'JSON.parse', 'scan', 'parse', 'decode', 'build', 'render', 'write']

function phaseNames(ps: Phases[]): string[] {
  const names: string[] = []
  for (const p of ps) for (const ph of p.phases) if (!names.includes(ph.name)) names.push(ph.name)
  const rank = (n: string): number => (PHASE_ORDER.includes(n) ? PHASE_ORDER.indexOf(n) : PHASE_ORDER.length)
  return names.sort((a, b) => rank(a) - rank(b))
}

export function phaseTable(ps: Phases[]): string {
  const names = phaseNames(ps)
  const rows = ps.map((p) => {
    const by = new Map(p.phases.map((ph) => [ph.name, ph]))
    return [
      p.view,
      ...names.map((n) => {
        const ph = by.get(n)
        return ph ? `${ph.ms} ms` : ''
      }),
      `${p.totalMs} ms`,
      `${p.maxRssMB} MB`,
      `${(p.outputBytes / 1e6).toFixed(1)} MB`,
    ]
  })
  return mdTable(['view', ...names, 'total (in-process)', 'peak RSS', 'output'], rows)
}

/** Memory after each phase (RSS / V8 heap used / external+ArrayBuffers), in MB. */
export function memoryTable(ps: Phases[]): string {
  const names = phaseNames(ps)
  const rows = ps.map((p) => {
    const by = new Map(p.phases.map((ph) => [ph.name, ph]))
    return [
      p.view,
      ...names.map((n) => {
        const ph = by.get(n)
        return ph ? `${ph.rssMB} / ${ph.heapMB} / ${ph.externalMB}` : ''
      }),
      `${p.maxRssMB} MB`,
      peakPhase(p) ?? '',
    ]
  })
  return mdTable(['view', ...names.map((n) => `after ${n}`), 'peak RSS', 'peak reached in'], rows)
}

/** The phase during which the process's peak RSS was reached (the first whose running maximum is the final one). */
export function peakPhase(p: Phases): string | undefined {
  const final = p.phases.at(-1)?.peakMB
  if (final === undefined) return undefined
  return p.phases.find((ph) => ph.peakMB !== undefined && ph.peakMB >= final)?.name
}

function sectionSizes(p: Phases): string {
  return p.sections.map((s) => `${s.type} ${(s.bytes / 1e6).toFixed(1)} MB`).join(', ')
}

function profileBlock(p: ProfileSummary): string {
  const origins = p.byOrigin
    .slice(0, 8)
    .map((o) => `${o.origin} ${o.ms} ms`)
    .join('; ')
  const fns = mdTable(
    ['function', 'where', 'self time'],
    p.topFunctions.map((f) => [f.fn, f.where, `${f.ms} ms`]),
  )
  return `**\`${p.label}\`** under \`--cpu-prof\` (one run, ${fmtMs(p.wallMs)} wall with the profiler, ${p.profiledMs} ms profiled). Self time by origin: ${origins}.\n\n${fns}`
}

export const ANALYSIS_START = '<!-- analysis:start (hand-written, kept when npm run bench rewrites this file) -->'
export const ANALYSIS_END = '<!-- analysis:end -->'

export function keptAnalysis(file: string): string | undefined {
  if (!existsSync(file)) return undefined
  const text = readFileSync(file, 'utf8')
  const a = text.indexOf(ANALYSIS_START)
  const b = text.indexOf(ANALYSIS_END)
  return a >= 0 && b > a ? text.slice(a + ANALYSIS_START.length, b).trim() : undefined
}

/** One line per measured row that has a target (PASS, FAIL or not measured), for the summary. */
export function targetRows(sections: SectionResult[]): string[][] {
  const out: string[][] = []
  for (const s of sections) {
    for (const r of s.rows) {
      if (!r.target || (r.verdict !== 'PASS' && r.verdict !== 'FAIL' && r.verdict !== 'not measured')) continue
      const timed = r.median !== undefined && Number.isFinite(r.median)
      out.push([s.title, r.measurement, timed ? fmtMs(r.median!) : '', r.ratio ?? '', r.target, r.verdict])
    }
  }
  return out
}

export function markdown(sections: SectionResult[], how: string[], machine: Machine, analysis: string | undefined): string {
  const out: string[] = []
  out.push('# Benchmarks', '')
  out.push(
    'Written by `npm run bench` (`bench/run.ts`; `--quick` skips the 70k-service dump and the live runs, `--only <section>` runs one section). ' +
      'Every ratio compares two medians measured side by side in the same run, on the machine below. Inputs are generated by the project\'s ' +
      'generator (`src/gen`) and cached in `bench/out/` (git-ignored).',
    '',
  )
  out.push('## Machine', '', machineLines(machine), '')
  const older = sections.filter((s) => s.machine.date !== machine.date)
  if (older.length) out.push(`Sections kept from an earlier run (their own date in their heading): ${older.map((s) => s.title).join(', ')}.`, '')
  out.push('## How it measures', '', ...how.map((h) => `* ${h}`), '')
  out.push('## Summary', '')
  out.push(
    mdTable(
      ['target', 'the issues ask (5; 15 for the single executable and the ps floors)', 'result'],
      sections.map((s) => [s.title, s.target, s.verdict === 'not measured' ? 'not measured' : s.verdict]),
    ),
    '',
  )
  out.push('Every row with a target, section by section (the section tables below have the baselines and the notes):', '')
  out.push(mdTable(['section', 'measurement', 'median', 'ratio', 'target', 'result'], targetRows(sections)), '')
  for (const s of sections) {
    out.push(`## ${s.title}`, '')
    if (s.machine.date !== machine.date) out.push(`_From the run of ${s.machine.date} (${s.mode})._`, '')
    out.push(`**Target:** ${s.target} **Result: ${s.verdict === 'not measured' ? 'not measured' : s.verdict}.**`, '')
    if (s.load) out.push(`_1-minute load average: ${s.load.before} before this section, ${s.load.after} after (on ${s.machine.cpus} CPUs)._`, '')
    out.push(...s.method.flatMap((m) => [m, '']))
    out.push(mdTable(HEAD, s.rows.map(cells)), '')
    const rowNotes = s.rows.filter((r) => r.note)
    if (rowNotes.length) out.push(...rowNotes.map((r) => `* ${r.measurement}: ${r.note}`), '')
    if (s.notes.length) out.push(...s.notes.map((n) => `* ${n}`), '')
    if (s.phases?.length) {
      const files = [...new Set(s.phases.map((p) => p.file))]
      out.push(`Phases (\`bench/phases.ts\`: meshctl's own modules run step by step in one process, one run each; inputs: ${files.map((f) => `\`${f}\``).join(', ')}):`, '')
      out.push(phaseTable(s.phases), '')
      out.push('Memory after each phase (MB: RSS / V8 heap used / external, which includes every Buffer), and the phase during which the peak RSS was reached:', '')
      out.push(memoryTable(s.phases), '')
      const total = (p: Phases): number => p.sections.reduce((a, x) => a + x.bytes, 0)
      const withSections = [...s.phases].sort((a, b) => total(b) - total(a)).find((p) => p.sections.length)
      if (withSections) out.push(`Config sections of \`${withSections.file}\`: ${sectionSizes(withSections)}.`, '')
    }
    for (const p of s.profiles ?? []) out.push(profileBlock(p), '')
  }
  out.push('## Analysis', '', ANALYSIS_START, analysis ?? '_(none yet)_', ANALYSIS_END, '')
  return out.join('\n')
}
