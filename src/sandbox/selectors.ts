/**
 * Label and field selectors, as the API server parses them (k8s.io/apimachinery/pkg/labels/selector.go,
 * pkg/fields/selector.go).
 *
 * Label selector grammar: comma-separated requirements, each one of
 *   `key`, `!key`, `key=value`, `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`, `key>n`, `key<n`.
 * `!=` and `notin` also match objects that do not have the key at all (Kubernetes semantics).
 */
import type {LabelSelectorSpec} from './types.js'

export type LabelOp = 'exists' | '!' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt'

export interface LabelRequirement {
  key: string
  op: LabelOp
  values: string[]
}

export class SelectorError extends Error {}

const KEY_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/
const VALUE_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/

function checkKey(key: string): void {
  if (!KEY_RE.test(key) || key.length > 316) {
    throw new SelectorError(
      `unable to parse requirement: key: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    )
  }
}

function checkValue(key: string, value: string): void {
  if (!VALUE_RE.test(value) || value.length > 63) {
    throw new SelectorError(
      `unable to parse requirement: values[0][${key}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    )
  }
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(s: string): string[] {
  const out: string[] = []
  let depth = 0
  let cur = ''
  for (const ch of s) {
    if (ch === '(') depth++
    if (ch === ')') depth--
    if (ch === ',' && depth === 0) {
      out.push(cur)
      cur = ''
    } else {
      cur += ch
    }
  }
  out.push(cur)
  return out
}

export function parseLabelSelector(selector: string): LabelRequirement[] {
  const s = selector.trim()
  if (s === '') return []
  const reqs: LabelRequirement[] = []
  for (const rawPart of splitTopLevel(s)) {
    const part = rawPart.trim()
    if (part === '') throw new SelectorError(`found ',', expected: !, identifier, or 'end of string'`)
    const notKey = /^!\s*([^\s=!<>(),]+)$/.exec(part)
    const setOp = /^([^\s=!<>(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part)
    const eqOp = /^([^\s=!<>(),]+)\s*(==|=|!=)\s*([^\s=!<>(),]*)$/.exec(part)
    const cmpOp = /^([^\s=!<>(),]+)\s*(>|<)\s*(-?\d+)$/.exec(part)
    const exists = /^([^\s=!<>(),]+)$/.exec(part)
    if (notKey) {
      checkKey(notKey[1]!)
      reqs.push({key: notKey[1]!, op: '!', values: []})
    } else if (setOp) {
      const key = setOp[1]!
      checkKey(key)
      const values = setOp[3]!.split(',').map((v) => v.trim())
      for (const v of values) checkValue(key, v)
      reqs.push({key, op: setOp[2] as 'in' | 'notin', values})
    } else if (eqOp) {
      const key = eqOp[1]!
      checkKey(key)
      checkValue(key, eqOp[3]!)
      reqs.push({key, op: eqOp[2] === '!=' ? '!=' : '=', values: [eqOp[3]!]})
    } else if (cmpOp) {
      checkKey(cmpOp[1]!)
      reqs.push({key: cmpOp[1]!, op: cmpOp[2] === '>' ? 'gt' : 'lt', values: [cmpOp[3]!]})
    } else if (exists) {
      checkKey(exists[1]!)
      reqs.push({key: exists[1]!, op: 'exists', values: []})
    } else {
      throw new SelectorError(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`)
    }
  }
  return reqs
}

export function matchesLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {}
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key)
    const v = l[r.key]
    switch (r.op) {
      case 'exists':
        return has
      case '!':
        return !has
      case '=':
        return has && v === r.values[0]
      case '!=':
        return !has || v !== r.values[0]
      case 'in':
        return has && r.values.includes(v!)
      case 'notin':
        return !has || !r.values.includes(v!)
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v!)) return false
        const n = Number(v)
        const want = Number(r.values[0])
        return r.op === 'gt' ? n > want : n < want
      }
    }
    return false
  })
}

/** `metav1.LabelSelector` -> selector string (`a=b,c in (d,e),!f`), as `metav1.FormatLabelSelector` renders it. */
export function formatLabelSelector(sel: Record<string, string> | LabelSelectorSpec | undefined): string {
  if (!sel) return ''
  const spec: LabelSelectorSpec = isSelectorSpec(sel) ? sel : {matchLabels: sel}
  const parts: string[] = []
  for (const k of Object.keys(spec.matchLabels ?? {}).sort()) parts.push(`${k}=${spec.matchLabels![k]}`)
  for (const e of spec.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',')
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`)
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`)
    else if (e.operator === 'Exists') parts.push(e.key)
    else parts.push(`!${e.key}`)
  }
  return parts.join(',')
}

export function isSelectorSpec(sel: Record<string, string> | LabelSelectorSpec): sel is LabelSelectorSpec {
  const keys = Object.keys(sel)
  return keys.length > 0 && keys.every((k) => k === 'matchLabels' || k === 'matchExpressions') && typeof (sel as Record<string, unknown>)[keys[0]!] === 'object'
}

export interface FieldRequirement {
  field: string
  op: '=' | '!='
  value: string
}

/** fields.ParseSelector: `a=b,c!=d`, with `\,` `\=` `\\` escapes in values. */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  const s = selector.trim()
  if (s === '') return []
  const parts: string[] = []
  let cur = ''
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!
    if (ch === '\\' && i + 1 < s.length) {
      cur += ch + s[i + 1]
      i++
    } else if (ch === ',') {
      parts.push(cur)
      cur = ''
    } else {
      cur += ch
    }
  }
  parts.push(cur)
  return parts.map((p) => {
    const m = p.match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/)
    if (!m) throw new SelectorError(`invalid selector: '${p}'; can't understand '${p}'`)
    const value = m[3]!.replace(/\\(.)/g, '$1')
    return {field: m[1]!.trim(), op: m[2] === '!=' ? '!=' : '=', value}
  })
}

/**
 * `fields` is the object's selectable field set (e.g. pods: metadata.name, status.phase, spec.nodeName, ...).
 * Unknown fields raise the API server's `field label not supported: <f>`.
 */
export function matchesFields(reqs: FieldRequirement[], fields: Record<string, string>): boolean {
  for (const r of reqs) {
    if (!Object.hasOwn(fields, r.field)) throw new SelectorError(`field label not supported: ${r.field}`)
  }
  return reqs.every((r) => (r.op === '=' ? fields[r.field] === r.value : fields[r.field] !== r.value))
}
