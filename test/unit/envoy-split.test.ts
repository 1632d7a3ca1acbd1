/**
 * parseLarge: the same value as JSON.parse (key order included), built piece by piece; undefined whenever the
 * text is not laid out one value per line. Pieces are forced tiny here so that every container is split.
 */
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, test} from 'node:test'
import type {ByteReader} from '../../src/envoy/scan.js'
import {eitherSpelling, parseLarge, parseProjected, type Projection, projectFromReader, SplitLayoutError, streamTopArray} from '../../src/envoy/split.js'
import {SHARED} from '../helpers/cli.js'

/** the same value, and the same key order at every level */
function assertSame(actual: unknown, text: string): void {
  const expected: unknown = JSON.parse(text)
  assert.notEqual(actual, undefined, 'parsed piece by piece')
  assert.deepEqual(actual, expected)
  assert.equal(JSON.stringify(actual), JSON.stringify(expected))
}

/** a deterministic pseudo-random integer in [0, n) per call */
function lcg(seed: number): (n: number) => number {
  let s = seed
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff
    return s % n
  }
}

/** a deterministic pseudo-random JSON value, deep enough to be split several levels down */
function randomValue(seed: number, depth = 0): unknown {
  let s = seed
  const next = (): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff
    return s
  }
  const gen = (d: number): unknown => {
    const r = next() % 10
    if (d > 4 || r < 3) {
      const kinds = [() => next() % 1000, () => -(next() % 100) / 8, () => `s${next() % 50} "q" \\ \n\t é 😀`, () => true, () => null, () => 1e21]
      return kinds[next() % kinds.length]!()
    }
    if (r < 6) return Array.from({length: 1 + (next() % 4)}, () => ({k: gen(d + 1), n: next() % 7}))
    const o: Record<string, unknown> = {}
    for (let i = 0; i < 1 + (next() % 5); i++) o[[`key${next() % 9}`, 'with "quote"', 'back\\slash', '@type', 'ünï'][next() % 5]!] = gen(d + 1)
    return o
  }
  return gen(depth)
}

/** pseudo-random documents (seeds 1..n) pretty-printed with each indentation, with LF and with CRLF line ends */
function* randomLayouts(n: number, indents: number[], extra = false): Generator<{seed: number; text: string}> {
  for (let seed = 1; seed <= n; seed++) {
    const value: Record<string, unknown> = {configs: [randomValue(seed), randomValue(seed + 1000)], list: [randomValue(seed + 7)]}
    if (extra) value.one = randomValue(seed + 3)
    for (const indent of indents) {
      for (const eol of ['\n', '\r\n']) yield {seed, text: JSON.stringify(value, null, indent).replaceAll('\n', eol)}
    }
  }
}

describe('the same value as JSON.parse', () => {
  test('pseudo-random documents, indented by 1, 2 and 4 spaces, LF and CRLF', () => {
    for (const {text} of randomLayouts(300, [1, 2, 4])) {
      const buf = Buffer.from(text)
      assertSame(parseLarge(buf, 0, buf.length, 8), text)
    }
  })
  test('a sub-range of the buffer (a config section), with surrounding white space', () => {
    const section = JSON.stringify({'@type': 'x', dynamic_active_clusters: [{cluster: {name: 'a'}}, {cluster: {name: 'b'}}]}, null, 1)
    const buf = Buffer.from(`{"configs": [  ${section}  ]}`)
    const start = buf.indexOf('{', 1)
    assertSame(parseLarge(buf, start, start + Buffer.byteLength(section), 8), section)
  })
  test('"__proto__" stays an own property, as with JSON.parse', () => {
    const text = JSON.stringify(JSON.parse('{"a": {"__proto__": {"x": 1}, "b": [1, 2]}, "__proto__": [3]}'), null, 2)
    const got = parseLarge(Buffer.from(text), 0, undefined, 4) as Record<string, unknown>
    assertSame(got, text)
    assert.ok(Object.hasOwn(got, '__proto__'))
    assert.equal(Object.getPrototypeOf(got), Object.prototype)
  })
  test('every real dump in ../shared, split as finely as it goes', () => {
    const dir = join(SHARED, 'conformance/real-dumps')
    let n = 0
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const buf = readFileSync(join(dir, name))
      const got = parseLarge(buf, 0, buf.length, 64)
      // dumps that are not one value per line are left to JSON.parse
      if (got !== undefined) {
        assertSame(got, buf.toString('utf8'))
        n++
      }
    }
    assert.ok(n >= 5, `${n} real dumps split`)
  })
})

describe('any layout: the value JSON.parse gives, or undefined; never another value', () => {
  test('a compact document is one piece', () => {
    const text = JSON.stringify({a: [{b: 1}, {b: 2}], c: 'x'.repeat(20)})
    assertSame(parseLarge(Buffer.from(text), 0, undefined, 4), text)
  })
  test('mixed layouts that still split', () => {
    for (const text of ['[\n  {"a": 1},\n  "text",\n  [1, 2],\n  {\n    "b": 2\n  }\n]', '{\n  "a": {\n  "b": 1\n  },\n  "c": 2\n}']) {
      assertSame(parseLarge(Buffer.from(text), 0, undefined, 4), text)
    }
  })
  test('fuzz: re-indented lines, joined lines, deleted bytes', () => {
    const next = lcg(7)
    let split = 0
    for (let round = 0; round < 3000; round++) {
      const lines = JSON.stringify(randomValue(round + 1), null, 1 + next(3)).split('\n')
      for (let k = next(4); k > 0; k--) {
        const i = next(lines.length)
        const op = next(3)
        if (op === 0) lines[i] = ' '.repeat(next(6)) + lines[i]!.trimStart()
        else if (op === 1 && i + 1 < lines.length) lines.splice(i, 2, `${lines[i]} ${lines[i + 1]!.trimStart()}`)
        else if (lines[i]!.length > 0) {
          const j = next(lines[i]!.length)
          lines[i] = lines[i]!.slice(0, j) + lines[i]!.slice(j + 1)
        }
      }
      const text = lines.join('\n')
      const got = parseLarge(Buffer.from(text), 0, undefined, 4)
      let expected: unknown
      try {
        expected = JSON.parse(text)
      } catch {
        assert.equal(got, undefined, text)
        continue
      }
      if (got !== undefined) {
        assert.equal(JSON.stringify(got), JSON.stringify(expected), text)
        split++
      }
    }
    assert.ok(split > 500, `${split} fuzzed texts split`)
  })
})

describe('undefined when the layout is not one value per line (the caller falls back to JSON.parse)', () => {
  const cases: Record<string, string> = {
    'a syntax error in a piece': '{\n  "a": [1, 2,],\n  "b": 2\n}',
    'a missing comma': '{\n  "a": 1\n  "b": 2\n}',
    'truncated': '{\n  "a": 1,\n  "b": {\n    "c": 2',
  }
  for (const [name, text] of Object.entries(cases)) {
    test(name, () => {
      assert.equal(parseLarge(Buffer.from(text), 0, undefined, 4), undefined)
    })
  }
  test('a small value is parsed whole; an invalid one gives undefined', () => {
    assert.deepEqual(parseLarge(Buffer.from('{"a":[1,2]}')), {a: [1, 2]})
    assert.equal(parseLarge(Buffer.from('{"a":')), undefined)
  })
})

describe('a /clusters answer streamed element by element from a ByteReader', () => {
  const reader = (buf: Buffer): ByteReader => ({size: buf.length, read: (s, e) => Buffer.from(buf.subarray(s, e))})
  const answer = (n: number, indent = 2): Buffer =>
    Buffer.from(
      JSON.stringify(
        {cluster_statuses: Array.from({length: n}, (_, i) => ({name: `c${i}`, host_statuses: [{address: {socket_address: {address: `10.0.0.${i % 250}`, port_value: 80}}, stats: [{name: 'cx}', value: String(i)}]}]}))},
        null,
        indent,
      ),
    )
  test('the elements and their ranges, for any chunk size and indentation', () => {
    for (const indent of [1, 2, 4]) {
      const buf = answer(300, indent)
      const expected = (JSON.parse(buf.toString('utf8')) as {cluster_statuses: unknown[]}).cluster_statuses
      for (const chunk of [64, 1000, 1 << 20]) {
        const stream = streamTopArray(reader(buf), ['cluster_statuses'], chunk)
        assert.ok(stream)
        const got = [...stream.elements()]
        assert.deepEqual(
          got.map((e) => JSON.parse(e.bytes.toString('utf8'))),
          expected,
          `indent ${indent}, chunks of ${chunk}`,
        )
        for (const [i, e] of got.entries()) assert.deepEqual(JSON.parse(buf.toString('utf8', e.start, e.end)), expected[i])
      }
    }
  })
  test('a head that is not that layout: undefined', () => {
    for (const text of ['{"cluster_statuses":[{"name":"a"}]}', '{\n "other": [\n  {\n   "a": 1\n  }\n ]\n}', '[\n {\n  "a": 1\n }\n]', '{\n "cluster_statuses": [\n  1,\n  2\n ]\n}']) {
      assert.equal(streamTopArray(reader(Buffer.from(text)), ['cluster_statuses']), undefined, text)
    }
  })
  test('a layout that changes part-way: SplitLayoutError after the elements cut right', () => {
    const text = '{\n "cluster_statuses": [\n  {\n   "name": "a"\n  },\n  {"name": "b"}\n ]\n}\n'
    const stream = streamTopArray(reader(Buffer.from(text)), ['cluster_statuses'], 64)
    assert.ok(stream)
    const seen: string[] = []
    assert.throws(() => {
      for (const e of stream.elements()) seen.push(e.bytes.toString('utf8'))
    }, SplitLayoutError)
    assert.deepEqual(seen.map((s) => JSON.parse(s)), [{name: 'a'}])
  })
  test('as a ClustersStatus: the same statuses as read whole, a changed layout or a syntax error handled as read whole', async () => {
    const {parseAdminDocument, parseAdminReader} = await import('../../src/envoy/document.js')
    const {InputError} = await import('../../src/errors/index.js')
    const cases = [
      answer(50),
      Buffer.from('{\n "cluster_statuses": [\n  {\n   "name": "a"\n  },\n  {"name": "b"},\n  {\n   "name": "c"\n  }\n ]\n}\n'),
    ]
    for (const buf of cases) {
      const streamed = parseAdminReader(reader(buf), 'c.json')
      const whole = parseAdminDocument(buf, 'c.json')
      assert.equal(streamed.kind, 'clusters')
      if (streamed.kind !== 'clusters' || whole.kind !== 'clusters') continue
      assert.deepEqual(streamed.clusterStatuses, whole.clusterStatuses)
      assert.deepEqual(streamed.status(1), whole.status(1), 'decoded again by index, for -o json')
    }
    const broken = Buffer.from('{\n "cluster_statuses": [\n  {\n   "name": "a"\n  },\n  {\n   "name": nope\n  }\n ]\n}\n')
    const doc = parseAdminReader(reader(broken), 'broken.json')
    assert.equal(doc.kind, 'clusters')
    if (doc.kind !== 'clusters') return
    assert.throws(
      () => doc.clusterStatuses,
      (err: unknown) => err instanceof InputError && /broken\.json: invalid JSON at byte \d+ \(line 7/.test(err.message),
    )
  })
})

describe('textWithoutArrays: a view that never reads some arrays does not decode them', () => {
  /** the reference: every array under `key`, at any depth, emptied */
  const emptied = (v: unknown, key: string): unknown =>
    Array.isArray(v)
      ? v.map((x) => emptied(x, key))
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === key && Array.isArray(x) ? [] : emptied(x, key)]))
        : v
  test('pretty-printed documents: exactly those arrays are emptied, everything else is kept', async () => {
    const {textWithoutArrays} = await import('../../src/envoy/split.js')
    for (let seed = 1; seed <= 300; seed++) {
      const value = {stats: [1, {stats: [2]}], list: [randomValue(seed)], n: randomValue(seed + 5)}
      for (const indent of [1, 2]) {
        const buf = Buffer.from(JSON.stringify(value, null, indent))
        for (const key of ['stats', 'k', 'key3']) {
          assert.deepEqual(JSON.parse(textWithoutArrays(buf, 0, buf.length, key)), emptied(value, key), `seed ${seed}, ${key}`)
        }
      }
    }
  })
  test('arrays written on one line, and the key inside a string, are left alone', async () => {
    const {textWithoutArrays} = await import('../../src/envoy/split.js')
    const text = '{\n  "stats": [1, 2],\n  "s": "\\"stats\\": [",\n  "a": {\n    "stats": [\n      3\n    ]\n  }\n}'
    assert.deepEqual(JSON.parse(textWithoutArrays(Buffer.from(text), 0, text.length, 'stats')), {stats: [1, 2], s: '"stats": [', a: {stats: []}})
  })
})

/** projections tried on the pseudo-random documents */
const projections: Projection[] = [
  {configs: [{key1: true, k: {key2: true, n: true}}], list: true},
  {configs: [{'with "quote"': true, ünï: [{k: true}]}], list: [{n: true}]},
  {configs: true},
  {list: [{k: {key0: true, key4: {k: true}, '@type': true}}]},
  {nothing: true},
]

/**
 * parseProjected: what a table reads, decoded without the rest. The value must be exactly JSON.parse's picked down
 * to the projection (key order included), or undefined; the bytes it skips are not checked.
 */
describe('parseProjected: JSON.parse picked down to a projection, or undefined', () => {
  /** JSON.parse's value picked down to p (the reference the fast path must equal) */
  const pickRef = (v: unknown, p: Projection): unknown => {
    if (p === true) return v
    if (Array.isArray(v)) return v.map((x) => pickRef(x, Array.isArray(p) ? p[0] : p))
    if (v === null || typeof v !== 'object' || Array.isArray(p)) return v
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) {
      if (Object.hasOwn(p, k)) Object.defineProperty(out, k, {value: pickRef(x, (p as Record<string, Projection>)[k]!), enumerable: true, writable: true, configurable: true})
    }
    return out
  }
  const assertPicked = (got: unknown, text: string, p: Projection): void => {
    const expected = pickRef(JSON.parse(text), p)
    assert.notEqual(got, undefined, 'projected')
    assert.equal(JSON.stringify(got), JSON.stringify(expected))
    assert.deepEqual(got, expected)
  }
  test('pseudo-random documents, indented by 1, 2 and 4 spaces, LF and CRLF, several projections', () => {
    for (const {text} of randomLayouts(200, [1, 2, 4])) {
      for (const p of projections) assertPicked(parseProjected(Buffer.from(text), p, 0, undefined, 8), text, p)
    }
  })
  test('compact JSON and one-line containers are parsed whole, then picked', () => {
    const text = JSON.stringify({configs: [{key1: 1, key2: 2}], list: [{k: 1, n: 2}]})
    for (const p of projections) assertPicked(parseProjected(Buffer.from(text), p), text, p)
    const mixed = '{\n  "configs": [{"key1": 1, "key2": 2}],\n  "list": [\n    {"k": [1, 2], "n": 3}\n  ]\n}'
    for (const p of projections) assertPicked(parseProjected(Buffer.from(mixed), p), mixed, p)
  })
  test('"__proto__" and repeated keys as JSON.parse: an own property, the last value in the first place', () => {
    const text = '{\n  "__proto__": {\n    "x": 1\n  },\n  "a": 1,\n  "b": {\n    "c": 2\n  },\n  "a": 3\n}'
    const got = parseProjected(Buffer.from(text), JSON.parse('{"__proto__": true, "a": true}') as Projection) as Record<string, unknown>
    assert.ok(Object.hasOwn(got, '__proto__'))
    assert.equal(Object.getPrototypeOf(got), Object.prototype)
    assert.deepEqual(Object.keys(got), ['__proto__', 'a'])
    assert.equal(got.a, 3)
  })
  test('eitherSpelling picks istioctl’s lowerCamelCase fields too', () => {
    const p = eitherSpelling({dynamic_active_clusters: [{cluster: {name: true, filter_metadata: true}}]})
    const text = JSON.stringify({dynamicActiveClusters: [{cluster: {name: 'a', filterMetadata: {x: 1}, type: 'EDS'}}]}, null, 2)
    assert.deepEqual(parseProjected(Buffer.from(text), p), {dynamicActiveClusters: [{cluster: {name: 'a', filterMetadata: {x: 1}}}]})
  })
  test('every real dump in ../shared, with the clusters table’s projection', () => {
    const p = eitherSpelling({configs: [{'@type': true, dynamic_active_clusters: [{cluster: {name: true, type: true, metadata: {filter_metadata: {istio: {config: true}}}}}], static_clusters: [{cluster: {name: true}}]}]})
    const dir = join(SHARED, 'conformance/real-dumps')
    let n = 0
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const buf = readFileSync(join(dir, name))
      assertPicked(parseProjected(buf, p), buf.toString('utf8'), p)
      n++
    }
    assert.ok(n >= 5, `${n} real dumps`)
  })
  test('fuzz: for valid JSON in any layout, the picked value or undefined; never another value', () => {
    const next = lcg(11)
    let projected = 0
    for (let round = 0; round < 3000; round++) {
      const lines = JSON.stringify({configs: [randomValue(round + 1)], list: [randomValue(round + 5000)]}, null, 1 + next(3)).split('\n')
      for (let k = next(4); k > 0; k--) {
        const i = next(lines.length)
        if (next(2) === 0) lines[i] = ' '.repeat(next(6)) + lines[i]!.trimStart()
        else if (i + 1 < lines.length) lines.splice(i, 2, `${lines[i]} ${lines[i + 1]!.trimStart()}`)
      }
      const text = lines.join('\n')
      let expected: unknown
      try {
        expected = JSON.parse(text)
      } catch {
        continue
      }
      const p = projections[round % projections.length]!
      const got = parseProjected(Buffer.from(text), p, 0, undefined, 4)
      if (got !== undefined) {
        assert.equal(JSON.stringify(got), JSON.stringify(pickRef(expected, p)), text)
        projected++
      }
    }
    assert.ok(projected > 500, `${projected} fuzzed texts projected`)
  })
  test('a syntax error in a decoded part gives undefined; one in a skipped part is not looked at', () => {
    const text = (a: string, b: string): Buffer => Buffer.from(`{\n  "a": {\n    "x": ${a}\n  },\n  "b": {\n    "y": ${b}\n  }\n}`)
    assert.equal(parseProjected(text('tru', '1'), {a: true}), undefined)
    assert.equal(parseProjected(text('[1,]', '1'), {a: {x: true}}), undefined)
    assert.deepEqual(parseProjected(text('1', 'tru'), {a: true}), {a: {x: 1}})
    assert.equal(parseProjected(Buffer.from('{"a":'), {a: true}), undefined)
  })
})

describe('projectFromReader: a section decoded down to a projection through a small moving window', () => {
  /** a reader over a buffer that reads into the window's buffer when given one, and counts the bytes it reads */
  const reader = (b: Buffer): ByteReader & {bytesRead: number} => {
    const r = {
      size: b.length,
      bytesRead: 0,
      read: (s: number, e: number, into?: Buffer): Buffer => {
        r.bytesRead += e - s
        if (into) {
          b.copy(into, 0, s, e)
          return into.subarray(0, e - s)
        }
        return Buffer.from(b.subarray(s, e))
      },
    }
    return r
  }
  const sectionP = eitherSpelling({
    '@type': true,
    version_info: true,
    dynamic_active_clusters: [{cluster: {name: true, type: true, metadata: {filter_metadata: {istio: {config: true}}}}}],
    static_clusters: [{cluster: {name: true}}],
    dynamic_listeners: [{name: true, active_state: {listener: {address: true}}}],
  })
  test('every section of every real dump: the value parseProjected gives, for windows from 1 byte up', async () => {
    const {locateConfigEntries} = await import('../../src/envoy/scan.js')
    const dir = join(SHARED, 'conformance/real-dumps')
    let n = 0
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const buf = readFileSync(join(dir, name))
      for (const e of locateConfigEntries(buf) ?? []) {
        const want = JSON.stringify(parseProjected(buf, sectionP, e.start, e.end))
        for (const step of [1, 7, 100, 4096, 1 << 22]) {
          assert.equal(JSON.stringify(projectFromReader(reader(buf), e.start, e.end, sectionP, step)), want, `${name} ${e.type} window ${step}`)
          n++
        }
      }
    }
    assert.ok(n > 100, `${n} sections`)
  })
  test('pseudo-random documents, projections reaching into arrays or not, small windows', () => {
    for (const {seed, text} of randomLayouts(150, [1, 2], true)) {
      const buf = Buffer.from(text)
      for (const p of [...projections, {one: true, list: [{k: true}]}] as Projection[]) {
        const got = projectFromReader(reader(buf), 0, buf.length, p, 1 + (seed % 50))
        assert.equal(JSON.stringify(got), JSON.stringify(parseProjected(buf, p)), `seed ${seed}`)
      }
    }
  })
  test('skipped members stream by: the window stays small and each byte is read once', () => {
    const big = {'@type': 'x', skipped: Array.from({length: 2000}, (_, i) => ({name: `n${i}`, blob: 'y'.repeat(200)})), kept: [{name: 'a', other: 1}]}
    const buf = Buffer.from(JSON.stringify(big, null, 1))
    const r = reader(buf)
    assert.deepEqual(projectFromReader(r, 0, buf.length, {kept: [{name: true}]}, 4096), {kept: [{name: 'a'}]})
    assert.equal(r.bytesRead, buf.length)
  })
  test('with a sink: every element of the projected arrays once, in order, with a range that decodes to it; the arrays left empty', async () => {
    const {locateConfigEntries} = await import('../../src/envoy/scan.js')
    const dir = join(SHARED, 'conformance/real-dumps')
    const p = eitherSpelling({'@type': true, dynamic_active_clusters: [true], static_clusters: [true], dynamic_listeners: [true], dynamic_endpoint_configs: [true]})
    let n = 0
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const buf = readFileSync(join(dir, name))
      for (const e of locateConfigEntries(buf) ?? []) {
        const whole = parseProjected(buf, p, e.start, e.end) as Record<string, unknown> | undefined
        if (whole === undefined) continue
        for (const step of [7, 4096, 1 << 22]) {
          const got: Array<[string, unknown]> = []
          const rest = projectFromReader(reader(buf), e.start, e.end, p, step, (key, value, s, end) => {
            assert.deepEqual(JSON.parse(buf.toString('utf8', s, end)), value, `${name} ${key} range`)
            got.push([key, value])
          }) as Record<string, unknown> | undefined
          assert.ok(rest, `${name} ${e.type} streamed`)
          const want: Array<[string, unknown]> = Object.entries(whole).filter(([, v]) => Array.isArray(v)).flatMap(([k, v]) => (v as unknown[]).map((x): [string, unknown] => [k, x]))
          assert.deepEqual(got, want, `${name} ${e.type} window ${step}`)
          for (const [k, v] of Object.entries(rest)) assert.deepEqual(v, Array.isArray(whole[k]) ? [] : whole[k], `${name} ${k}`)
          n += got.length
        }
      }
    }
    assert.ok(n > 100, `${n} elements`)
  })
  test('with a sink: an array written on one line cannot give ranges (undefined) unless it is empty', () => {
    const sunk: unknown[] = []
    const sink = (_k: string, v: unknown): void => {
      sunk.push(v)
    }
    const empty = '{\n  "a": [],\n  "b": 1\n}'
    assert.deepEqual(projectFromReader(reader(Buffer.from(empty)), 0, empty.length, {a: [true]}, 5, sink), {a: []})
    const text = '{\n  "a": [{"x": 1}],\n  "b": 1\n}'
    assert.equal(projectFromReader(reader(Buffer.from(text)), 0, text.length, {a: [true]}, 5, sink), undefined)
    assert.deepEqual(sunk, [])
  })
  test('not one value per line, or an invalid decoded part: undefined', () => {
    const cases = ['{"a": [1, 2], "b": 3}', '{\n  "a": [\n    1,\n  2\n  ]\n}', '{\n  "a": [\n    {"x": tru}\n  ]\n}', '{\n  "a": 1\n  "b": 2\n}', '{\n  "a": [\n    1\n  ]\n']
    for (const text of cases) assert.equal(projectFromReader(reader(Buffer.from(text)), 0, Buffer.byteLength(text), {a: [true]}, 3), undefined, text)
  })
})
