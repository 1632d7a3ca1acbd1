/**
 * `trace`'s report: one row per hop (STEP, RESOURCE, WHY, RESULT), with `--verbose` the candidates each hop tried
 * and why they did not match, then the verdict and what the trace had to assume. Pure.
 */
import type {Json} from '../envoy/fields.js'
import type {ReportCell} from '../output/report.js'
import type {TraceResult} from '../trace/result.js'
import {type Block, report, text, type ViewResult} from './types.js'

const VERDICT_MARK: Record<TraceResult['verdict']['outcome'], {mark: string; style: string}> = {
  endpoint: {mark: 'OK', style: 'good'},
  redirect: {mark: 'REDIRECT', style: 'good'},
  direct_response: {mark: 'DIRECT RESPONSE', style: 'warn'},
  failure: {mark: 'FAILS', style: 'bad'},
  unknown: {mark: 'UNKNOWN', style: 'warn'},
}

function verdictLines(r: TraceResult): string {
  const v = r.verdict
  const code = [v.code !== undefined ? String(v.code) : '', v.flag ?? ''].filter((s) => s !== '').join(' ')
  const lines = [`${VERDICT_MARK[v.outcome].mark}${code ? ` (${code})` : ''}: ${v.summary}`]
  if (v.hint) lines.push(`  hint: ${v.hint}`)
  for (const a of r.assumptions) lines.push(`  assumed: ${a}`)
  return `${lines.join('\n')}\n`
}

export function traceView(r: TraceResult, verbose: boolean): ViewResult {
  const rows: ReportCell[][] = []
  for (const s of r.steps) {
    rows.push([s.step, s.name || '-', s.why, s.ok ? s.result : {text: s.result, style: 'bad'}])
    if (verbose) for (const c of s.candidates ?? []) rows.push(['', {text: `  ${c.name}`, style: 'dim'}, {text: c.why, style: 'dim'}, {text: 'not matched', style: 'dim'}])
  }
  const head = `${r.request.method ? `${r.request.method} ` : ''}${r.request.url} from ${r.proxy} (${r.mode}; to ${r.request.destination}, ${r.request.transport === 'tls' ? `TLS${r.request.sni ? ` SNI ${r.request.sni}` : ''}` : 'plaintext'})\n`
  const blocks: Block[] = [text(head), report({columns: ['STEP', 'RESOURCE', 'WHY', 'RESULT'], rows}), text(verdictLines(r))]
  return {blocks, data: () => r as unknown as Json}
}
