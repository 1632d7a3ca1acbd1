/**
 * Reading Envoy admin JSON without a schema. Envoy's admin API writes proto field names in snake_case;
 * istioctl (and protojson) write lowerCamelCase. meshctl reads either: `get(obj, 'socket_address')` finds
 * `socket_address` or `socketAddress`. Nothing here throws on unexpected shapes.
 */

export type Json = null | boolean | number | string | Json[] | {[key: string]: Json}
export type JsonObject = {[key: string]: Json}

const camelCache = new Map<string, string>()

/** proto's json_name rule: drop each `_`, upper-case the character after it. */
export function toCamel(snake: string): string {
  let c = camelCache.get(snake)
  if (c === undefined) {
    c = snake.includes('_') ? snake.replace(/_+([a-zA-Z0-9]?)/g, (_m, ch: string) => ch.toUpperCase()) : snake
    camelCache.set(snake, c)
  }
  return c
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The field `name` (given in snake_case) of `obj`, in either spelling; undefined when absent or obj is not an object. */
export function get(obj: unknown, name: string): Json | undefined {
  if (!isObject(obj)) return undefined
  const v = obj[name]
  if (v !== undefined) return v
  return name.includes('_') ? obj[toCamel(name)] : undefined
}

/** Follows a path of snake_case field names. */
export function path(obj: unknown, ...names: string[]): Json | undefined {
  let cur: unknown = obj
  for (const n of names) {
    cur = get(cur, n)
    if (cur === undefined) return undefined
  }
  return cur as Json
}

export function getObject(obj: unknown, name: string): JsonObject | undefined {
  const v = get(obj, name)
  return isObject(v) ? v : undefined
}

/**
 * Parts of the input that could not be read (a list that is not a list): noted as they are met, so that the command
 * can warn about each instead of dropping rows silently. Taken (and cleared) by takeUnreadable(); at most 20 kept.
 */
const unreadable = new Set<string>()

export function noteUnreadable(what: string): void {
  if (unreadable.size < 20) unreadable.add(what)
}

/** The parts noted since the last call, in the order met. */
export function takeUnreadable(): string[] {
  const out = [...unreadable]
  unreadable.clear()
  return out
}

function kindOf(v: Json): string {
  if (Array.isArray(v)) return 'a list'
  if (isObject(v)) return 'an object'
  return `a ${typeof v}`
}

/** The list field `name`; [] when absent, null, or (noted as unreadable) of another type. */
export function getArray(obj: unknown, name: string): Json[] {
  const v = get(obj, name)
  if (Array.isArray(v)) return v
  if (v !== undefined && v !== null) {
    const owner = isObject(obj) && typeof obj['name'] === 'string' ? ` of "${obj['name'].slice(0, 80)}"` : ''
    noteUnreadable(`"${name}"${owner} is ${kindOf(v)}, not a list: its entries are not shown`)
  }
  return []
}

export function getString(obj: unknown, name: string): string {
  const v = get(obj, name)
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : ''
}

/** A number field; proto JSON may write integers as strings. 0 when absent or not numeric. */
export function getNumber(obj: unknown, name: string): number {
  const v = get(obj, name)
  if (typeof v === 'number') return v
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v)
  return 0
}

export function getBool(obj: unknown, name: string): boolean {
  const v = get(obj, name)
  return v === true || v === 'true'
}

/** The `@type` of an Any, or ''. */
export function typeUrl(obj: unknown): string {
  return isObject(obj) && typeof obj['@type'] === 'string' ? obj['@type'] : ''
}

/** The message name of a type URL: `type.googleapis.com/envoy.admin.v3.ClustersConfigDump` → `envoy.admin.v3.ClustersConfigDump`. */
export function typeName(url: string): string {
  const slash = url.lastIndexOf('/')
  return slash >= 0 ? url.slice(slash + 1) : url
}
