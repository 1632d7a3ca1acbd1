/**
 * Shared arbitraries and the outcome rule of the property tests (test/unit/property-*.test.ts): every run ends with a
 * result or a documented error (a MeshctlError with exit 2 or 3), never another exception, and never a hang.
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {isMeshctlError} from '../../src/errors/index.js'

/** runs per property: enough to find shape bugs, small enough to keep each file well under 20 s */
export const RUNS = 200

// a failure names the error it met, not only the input
fc.configureGlobal({includeErrorInReport: true})

/** Calls `run`; a throw must be a MeshctlError with exit 2 or 3. Returns whether it succeeded. */
export function documented(run: () => unknown, what: string): boolean {
  try {
    run()
    return true
  } catch (err) {
    if (isMeshctlError(err) && (err.exitCode === 2 || err.exitCode === 3)) {
      assert.doesNotMatch(err.oneLine, /\n/, `${what}: one line`)
      return false
    }
    assert.fail(`${what}: ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err)}`)
  }
}

/** Strings a user's input may hold: odd unicode, control characters, very long ones, JSON-looking ones. */
export const oddString = fc.oneof(
  fc.string(),
  fc.string({unit: 'binary', maxLength: 40}),
  fc.constantFrom('', ' ', '\u0000', '\u001b[31m', '\n', '\ud800', '💥', 'a'.repeat(10_000), '{', '[', '"', '\\', 'null', 'outbound|80||x.svc', 'inbound|9080||'),
)

/** Any JSON value, with odd strings in it and some depth. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec<{value: unknown}>((tie) => ({
  value: fc.oneof(
    {depthSize: 'small', withCrossShrink: true},
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({noNaN: true, noDefaultInfinity: true}),
    oddString,
    fc.array(tie('value'), {maxLength: 4}),
    fc.dictionary(fc.oneof(oddString, fc.constantFrom('name', '@type', 'configs', 'cluster', 'address', 'filter_chains', 'virtual_hosts')), tie('value'), {maxKeys: 4}),
  ),
})).value

/**
 * A valid document with one random change at a random place: a value replaced by a value of another type, a key
 * removed, an extra key added. `doc` is not modified.
 */
export function mutated(doc: unknown): fc.Arbitrary<unknown> {
  const paths: Array<Array<string | number>> = []
  const walk = (v: unknown, p: Array<string | number>): void => {
    paths.push(p)
    if (paths.length > 5000) return
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i], [...p, i])
    }
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k])
  }
  walk(doc, [])
  return fc.tuple(fc.constantFrom(...paths), fc.constantFrom('replace', 'delete', 'extra'), anyJson).map(([p, how, value]) => {
    const copy = structuredClone(doc) as Record<string | number, unknown>
    if (p.length === 0) return how === 'replace' ? value : copy
    let parent: Record<string | number, unknown> = copy
    for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>
    const last = p[p.length - 1]!
    if (how === 'replace') parent[last] = value
    else if (how === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1)
      else delete parent[last]
    } else if (parent[last] && typeof parent[last] === 'object' && !Array.isArray(parent[last])) {
      ;(parent[last] as Record<string, unknown>)[`extra_${String(last)}`] = value
    } else parent[last] = value
    return copy
  })
}

/** Bytes of `text` cut at a random point (a truncated download), or with a random byte changed. */
export function damaged(text: string): fc.Arbitrary<Uint8Array> {
  const bytes = Buffer.from(text)
  return fc.oneof(
    fc.integer({min: 0, max: bytes.length}).map((n) => bytes.subarray(0, n)),
    fc.tuple(fc.integer({min: 0, max: Math.max(0, bytes.length - 1)}), fc.integer({min: 0, max: 255})).map(([i, b]) => {
      const copy = Buffer.from(bytes)
      copy[i] = b
      return copy
    }),
  )
}

/** `depth` levels of nesting around a value, as JSON text. */
export const deepJson = (depth: number, open = '{"a":', close = '}'): string => `${open.repeat(depth)}1${close.repeat(depth)}`
