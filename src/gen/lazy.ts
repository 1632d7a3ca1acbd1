/**
 * Lazily produced JSON trees. A config dump for a 70k-service mesh is larger than V8's maximum string
 * length (~512 MB), so it can never be one `JSON.stringify` result. The builders therefore describe big
 * documents as a tree whose large arrays are `LazyArray`s (items produced on demand by a generator) inside
 * `LazyObject`s. The same tree is either materialised into plain objects (`materialize`, used by
 * `configDump()`), or streamed as text (`streamJson`), which writes exactly what
 * `JSON.stringify(materialize(tree), null, 2)` would, one item at a time.
 *
 * Rule: a plain object/array must not contain a Lazy* value if it is to be streamed incrementally. (If one
 * does, `toJSON` materialises it, so the output is still correct, only not incremental.)
 */

/** An array whose items are produced on demand; `produce` may be called more than once and must be pure. */
export class LazyArray<T = unknown> {
  constructor(readonly produce: () => Iterable<T>) {}

  toJSON(): unknown[] {
    return materialize(this) as unknown[]
  }
}

/** An object whose field values may be Lazy*; fields whose value is `undefined` are omitted, as JSON does. */
export class LazyObject {
  constructor(readonly fields: Readonly<Record<string, unknown>>) {}

  toJSON(): unknown {
    return materialize(this)
  }
}

export function lazyArray<T>(produce: () => Iterable<T>): LazyArray<T> {
  return new LazyArray(produce)
}

export function lazyObject(fields: Record<string, unknown>): LazyObject {
  return new LazyObject(fields)
}

/** Converts a lazy tree into plain JSON values (objects, arrays, primitives). */
export function materialize(value: unknown): unknown {
  if (value instanceof LazyArray) {
    const out: unknown[] = []
    for (const item of value.produce()) out.push(materialize(item))
    return out
  }
  if (value instanceof LazyObject) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value.fields)) if (v !== undefined) out[k] = materialize(v)
    return out
  }
  return value
}

function isLazy(v: unknown): v is LazyArray | LazyObject {
  return v instanceof LazyArray || v instanceof LazyObject
}

export type ChunkWriter = (chunk: string) => void | Promise<void>

export interface StreamOptions {
  /** Flush the text buffer to `write` once it holds at least this many characters (default 1 MiB). */
  chunkChars?: number
}

/** Indentation strings by depth, cached. */
const pads: string[] = ['']
function pad(n: number): string {
  while (pads.length <= n) pads.push(' '.repeat(pads.length))
  return pads[n]
}

/**
 * Streams `value` as `JSON.stringify(materialize(value), null, 2)` would print it, calling `write` with
 * chunks of about `chunkChars` characters and awaiting it when it returns a promise (back-pressure).
 */
export async function streamJson(value: unknown, write: ChunkWriter, opts: StreamOptions = {}): Promise<void> {
  const limit = opts.chunkChars ?? 1 << 20
  let parts: string[] = []
  let size = 0
  const push = (s: string): void => {
    parts.push(s)
    size += s.length
  }
  const flush = async (): Promise<void> => {
    if (parts.length === 0) return
    const chunk = parts.join('')
    parts = []
    size = 0
    const r = write(chunk)
    if (r && typeof (r as Promise<void>).then === 'function') await r
  }

  const emitPlain = (v: unknown, depth: number): void => {
    const text = JSON.stringify(v, null, 2)
    // JSON strings never contain a raw newline, so every newline in `text` is structural
    push(depth === 0 || !text.includes('\n') ? text : text.replace(/\n/g, `\n${pad(depth)}`))
  }

  const emit = async (v: unknown, depth: number): Promise<void> => {
    if (v instanceof LazyObject) {
      const entries = Object.entries(v.fields).filter(([, x]) => x !== undefined)
      if (entries.length === 0) return push('{}')
      push('{\n')
      for (let i = 0; i < entries.length; i++) {
        const [k, x] = entries[i]
        push(`${pad(depth + 2)}${JSON.stringify(k)}: `)
        if (isLazy(x)) await emit(x, depth + 2)
        else emitPlain(x, depth + 2)
        push(i === entries.length - 1 ? '\n' : ',\n')
      }
      return push(`${pad(depth)}}`)
    }
    if (v instanceof LazyArray) {
      let first = true
      for (const item of v.produce()) {
        push(first ? `[\n${pad(depth + 2)}` : `,\n${pad(depth + 2)}`)
        first = false
        // JSON.stringify writes `null` for undefined array items
        if (isLazy(item)) await emit(item, depth + 2)
        else emitPlain(item === undefined ? null : item, depth + 2)
        if (size >= limit) await flush()
      }
      return push(first ? '[]' : `\n${pad(depth)}]`)
    }
    emitPlain(v, depth)
  }

  await emit(value, 0)
  await flush()
}
