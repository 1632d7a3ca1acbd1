/**
 * The JSON istioctl prints for `ztunnel-config -o json`: Go's encoding/json MarshalIndent (4 spaces) of its own
 * structs. Go maps are printed with their keys sorted as strings (`"15008"` before `"8080"`), which a JavaScript
 * object cannot keep (integer-like keys always come first, in numeric order), so maps are `Map`s here and this
 * printer sorts them. Pure.
 */
import type {Json} from '../envoy/fields.js'

/** A value ready to print: JSON, with Go maps as `Map`s (printed with sorted keys). */
export type GoValue = null | boolean | number | string | GoValue[] | Map<string, GoValue> | {[key: string]: GoValue}

/** Go's string escaping: as JSON.stringify, plus `<`, `>`, `&`, U+2028 and U+2029 as \u escapes. */
function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

function entries(v: Map<string, GoValue> | {[key: string]: GoValue}): Array<[string, GoValue]> {
  return v instanceof Map ? [...v.entries()].sort((a, b) => byString(a[0], b[0])) : Object.entries(v)
}

/** Prints like Go's `json.MarshalIndent(v, "", "    ")`. */
export function goIndent(v: GoValue, indent = '    '): string {
  const out: string[] = []
  const walk = (x: GoValue, pad: string): void => {
    if (x === null || typeof x !== 'object') {
      out.push(typeof x === 'string' ? goString(x) : JSON.stringify(x))
      return
    }
    const inner = pad + indent
    if (Array.isArray(x)) {
      if (x.length === 0) return void out.push('[]')
      out.push('[\n')
      x.forEach((item, i) => {
        out.push(inner)
        walk(item, inner)
        out.push(i < x.length - 1 ? ',\n' : '\n')
      })
      out.push(`${pad}]`)
      return
    }
    const es = entries(x)
    if (es.length === 0) return void out.push('{}')
    out.push('{\n')
    es.forEach(([k, item], i) => {
      out.push(`${inner}${goString(k)}: `)
      walk(item, inner)
      out.push(i < es.length - 1 ? ',\n' : '\n')
    })
    out.push(`${pad}}`)
  }
  walk(v, '')
  return out.join('')
}

/** The same value as plain JSON (maps become objects), for --query and YAML. */
export function toJson(v: GoValue): Json {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map(toJson)
  const o: {[key: string]: Json} = {}
  for (const [k, x] of entries(v)) o[k] = toJson(x)
  return o
}
