/**
 * Several pods' results as one: tables gain a leading POD column (one table per block, header once), text
 * blocks are prefixed with the pod, and the document becomes an object keyed by `<pod>.<namespace>`.
 */
import type {Json} from '../envoy/fields.js'
import type {Row} from '../output/tabwriter.js'
import {type Block, header, type ViewResult} from './types.js'

export interface PodResult {
  id: string
  result: ViewResult
}

export function mergeFanout(results: PodResult[]): ViewResult {
  const blocks: Block[] = []
  const count = Math.max(0, ...results.map((r) => r.result.blocks.length))
  for (let i = 0; i < count; i++) {
    const parts = results.map((r) => ({id: r.id, block: r.result.blocks[i]})).filter((p) => p.block !== undefined)
    const tables = parts.filter((p) => p.block.kind === 'table')
    if (tables.length > 0 && tables.length === parts.length) {
      const first = tables[0].block as Extract<Block, {kind: 'table'}>
      const skip = first.headless ? 0 : 1
      const rows: Row[] = first.headless ? [] : [[...header('POD'), ...first.rows[0]]]
      for (const p of tables) {
        const t = p.block as Extract<Block, {kind: 'table'}>
        for (const row of t.rows.slice(skip)) rows.push([p.id, ...row])
      }
      blocks.push({kind: 'table', rows, padding: first.padding, headless: first.headless})
      continue
    }
    // text (separators, "No active or warming secrets found.") and mixed blocks: said once per pod
    const texts = new Set(parts.map((p) => (p.block.kind === 'text' ? p.block.text : '')))
    if (texts.size === 1 && parts.every((p) => p.block.kind === 'text') && /^\s*$/.test([...texts][0])) {
      blocks.push(parts[0].block)
      continue
    }
    for (const p of parts) {
      if (p.block.kind === 'text') blocks.push({kind: 'text', text: p.block.text.replace(/^(?=.)/gm, `${p.id}: `)})
      else if (p.block.kind === 'report') blocks.push({kind: 'report', table: {columns: ['POD', ...p.block.table.columns], rows: p.block.table.rows.map((r) => [p.id, ...r])}})
      else blocks.push({kind: 'table', rows: [[...header('POD'), ...p.block.rows[0]], ...p.block.rows.slice(1).map((r) => [p.id, ...r])], padding: p.block.padding})
    }
  }
  const data = (): Json => {
    const out: {[k: string]: Json} = {}
    for (const r of results) out[r.id] = r.result.rawJson ? (JSON.parse(r.result.rawJson()) as Json) : r.result.data()
    return out
  }
  return {blocks, data, warnings: results.flatMap((r) => (r.result.warnings ?? []).map((w) => `${r.id}: ${w}`))}
}
