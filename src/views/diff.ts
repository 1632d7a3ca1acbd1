/**
 * How `meshctl diff` shows a comparison (pure: the engine's result in, text or a JSON document out).
 *
 * Short output: what was normalised (per-pod values, when the sides are different proxies), a summary table
 * (TYPE, NAME, CHANGE, FIELDS: the changed fields as JSON Pointers into the normalised resource), then for each
 * changed resource a compact field-level diff, `~` a replaced value (`before → after`), `+` an added one, `-` a
 * removed one; coloured on a terminal. `--stat`: counts per type only. `-o json|yaml`: the document of diffDocument.
 */
import type {Json, JsonObject} from '../envoy/fields.js'
import type {DiffResult, FieldChange, ReplicaReport, ResourceChange} from '../diff/engine.js'
import {DIFF_TYPES} from '../diff/resources.js'
import {type ReportCell, renderReport} from '../output/report.js'
import type {Styler} from '../output/tabwriter.js'

export interface DiffViewOptions {
  /** the terminal's width; undefined when piped */
  width?: number
  styler?: Styler
  /** field paths shown per resource in the summary table */
  maxFields?: number
  /** cut long values in the field-level diff to this many characters */
  maxValue?: number
}

const paint = (styler: Styler | undefined, style: string, text: string): string => (styler ? styler(text, style) : text)

const CHANGE_STYLE: Record<string, string> = {added: 'good', removed: 'bad', changed: 'warn', missing: 'bad', extra: 'good'}

/** A value on one line, cut to `max` characters. */
export function compactValue(v: Json | undefined, max = 100): string {
  const s = v === undefined ? '' : JSON.stringify(v)
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

function fieldsCell(fields: string[], max: number): string {
  if (fields.length <= max) return fields.join(' ')
  return `${fields.slice(0, max).join(' ')} (+${fields.length - max} more)`
}

function fieldLine(d: FieldChange, styler: Styler | undefined, maxValue: number): string {
  const path = d.path === '' ? '(whole resource)' : d.path
  if (d.before !== undefined && d.after !== undefined) return paint(styler, 'warn', `  ~ ${path}: ${compactValue(d.before, maxValue)} → ${compactValue(d.after, maxValue)}`)
  if (d.after !== undefined) return paint(styler, 'good', `  + ${path}: ${compactValue(d.after, maxValue)}`)
  return paint(styler, 'bad', `  - ${path}${d.before !== undefined ? `: ${compactValue(d.before, maxValue)}` : ''}`)
}

/** What per-pod normalisation replaced, in one line (empty when nothing was). */
export function normalizedLine(r: Pick<DiffResult, 'normalized'>): string {
  if (r.normalized.length === 0) return ''
  const parts = r.normalized.map((n) => (n.what === 'node id' || n.what === 'workload certificate' ? `${n.what} (${n.placeholder})` : `${n.what} (${n.a} | ${n.b} → ${n.placeholder})`))
  return `Normalised per-pod values: ${parts.join(', ')}; --no-normalize compares them as they are\n`
}

function total(r: DiffResult): number {
  let n = 0
  for (const c of Object.values(r.counts)) n += c.added + c.removed + c.changed + c.unchanged
  return n
}

/** The summary table of changed resources (no table when there are none). */
export function summaryTable(changes: ResourceChange[], opts: DiffViewOptions): string {
  const rows: ReportCell[][] = changes.map((c) => [c.type, c.name, {text: c.change, style: CHANGE_STYLE[c.change]}, fieldsCell(c.fields, opts.maxFields ?? 3)])
  return renderReport({columns: ['TYPE', 'NAME', 'CHANGE', 'FIELDS'], rows}, {width: opts.width, styler: opts.styler})
}

/** The field-level diff of each changed resource. */
export function fieldDiffs(changes: ResourceChange[], opts: DiffViewOptions): string {
  const out: string[] = []
  for (const c of changes) {
    if (c.change !== 'changed' || !c.details) continue
    out.push(`\n${paint(opts.styler, 'header', `${c.type} ${c.name}`)}`)
    for (const d of c.details) out.push(fieldLine(d, opts.styler, opts.maxValue ?? 100))
  }
  return out.length > 0 ? `${out.join('\n')}\n` : ''
}

/** Counts per type (--stat). */
export function statTable(r: DiffResult, opts: DiffViewOptions): string {
  const rows: ReportCell[][] = DIFF_TYPES.filter((t) => r.counts[t]).map((t) => {
    const c = r.counts[t]!
    return [t, String(c.added), String(c.removed), String(c.changed), String(c.unchanged)]
  })
  return renderReport({columns: ['TYPE', 'ADDED', 'REMOVED', 'CHANGED', 'UNCHANGED'], rows}, {width: opts.width, styler: opts.styler})
}

/** The short output of a comparison. */
export function diffText(r: DiffResult, sides: {a: string; b: string}, opts: DiffViewOptions & {stat?: boolean} = {}): string {
  const head = `${paint(opts.styler, 'dim', `--- a: ${sides.a}\n+++ b: ${sides.b}`)}\n${normalizedLine(r)}`
  if (opts.stat) return head + statTable(r, opts)
  if (r.equal) return `${head}No differences (${total(r)} resources compared: ${r.types.join(', ')}).\n`
  return head + summaryTable(r.changes, opts) + fieldDiffs(r.changes, opts)
}

/** The stable JSON document (-o json|yaml): sides, verdict, what was normalised, counts, and per resource its patch. */
export function diffDocument(r: DiffResult, sides: {a: string; b: string}): JsonObject {
  const summary: JsonObject = {}
  for (const t of r.types) if (r.counts[t]) summary[t] = {...r.counts[t]!}
  return {
    a: sides.a,
    b: sides.b,
    equal: r.equal,
    warnings: r.warnings,
    normalized: r.normalized.map((n) => ({what: n.what, a: n.a, b: n.b, placeholder: n.placeholder})),
    summary,
    resources: r.changes.map((c) => ({type: c.type, name: c.name, change: c.change, fields: c.fields, patch: c.patch as unknown as Json})),
  }
}

// ------------------------------------------------------------------ -l: replicas against their majority

function differenceText(d: ReplicaReport['results'][number]['differences'][number], maxFields: number): string {
  const what = `${d.type} ${d.name}`
  if (d.change !== 'changed') return `${what} (${d.change})`
  return `${what}: ${fieldsCell(d.fields, maxFields)}`
}

/** `-l`: one row per pod, whether it differs from the majority and in what. */
export function replicaText(r: ReplicaReport, opts: DiffViewOptions = {}): string {
  const rows: ReportCell[][] = r.results.map((p) => {
    const n = p.differences.length
    const status: ReportCell = n === 0 ? {text: 'as majority', style: 'good'} : {text: `${n} resource${n === 1 ? '' : 's'} differ`, style: 'bad'}
    const shown = p.differences.slice(0, 5).map((d) => differenceText(d, opts.maxFields ?? 3))
    if (n > 5) shown.push(`(+${n - 5} more; -o json lists them all)`)
    return [p.pod, status, shown.join('\n')]
  })
  const lines: string[] = []
  if (r.normalized.length > 0) lines.push(`Normalised per-pod values: ${r.normalized.join(', ')}; --no-normalize compares them as they are\n`)
  lines.push(renderReport({columns: ['POD', 'VERSUS MAJORITY', 'DIFFERS IN'], rows}, {width: opts.width, styler: opts.styler}))
  if (r.noMajority.length > 0) {
    const shown = r.noMajority.slice(0, 5).map((m) => `${m.type} ${m.name} (${m.versions} versions)`)
    lines.push(`No majority (as many pods with one version as with another) for ${r.noMajority.length} resource${r.noMajority.length === 1 ? '' : 's'}: ${shown.join(', ')}${r.noMajority.length > 5 ? ', …' : ''}\n`)
  }
  return lines.join('')
}

export function replicaDocument(r: ReplicaReport): JsonObject {
  return {
    pods: r.pods,
    equal: r.results.every((p) => p.differences.length === 0) && r.noMajority.length === 0,
    normalized: r.normalized,
    results: r.results.map((p) => ({pod: p.pod, differences: p.differences.map((d) => ({type: d.type, name: d.name, change: d.change, fields: d.fields}))})),
    noMajority: r.noMajority.map((m) => ({type: m.type, name: m.name, versions: m.versions})),
  }
}
