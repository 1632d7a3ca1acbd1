/**
 * JSON.parse for very large pretty-printed documents, without ever building one very large string.
 *
 * `JSON.parse` needs the whole text as one JavaScript string: a 500 MB clusters section costs 500 MB of string on
 * top of the file's bytes and of the objects it becomes (and past V8's string limit, about 537 MB, it cannot be
 * parsed at all). Envoy, istioctl and kubectl print JSON with one value per line, indented by depth, and a JSON
 * string can never hold a raw newline; so in such a text the children of a container indented by `k` spaces are
 * exactly the lines that start with a newline, `k` spaces and a non-space character, and a child container that
 * opens at the end of its line closes on the first line that is `k` spaces and its closing bracket, which the
 * native substring search finds at once. `parseLarge` cuts a large container into its children that way, parses each
 * child on its own (recursively when a child is itself large), and assembles the same value JSON.parse would
 * return, key order included.
 *
 * It returns undefined whenever the layout is not that (compact JSON, a heterogeneous array, anything unexpected)
 * or a piece does not parse: the caller then falls back to JSON.parse of the whole text, which also reports
 * syntax errors precisely. Pure: bytes in, values out.
 */
import {type Json, type JsonObject, toCamel} from './fields.js'
import type {ByteReader} from './scan.js'

const NL = 0x0a
const CR = 0x0d
const SPACE = 0x20
const TAB = 0x09
const LBRACE = 0x7b
const RBRACE = 0x7d
const LBRACKET = 0x5b
const RBRACKET = 0x5d
const QUOTE = 0x22
const COMMA = 0x2c
const COLON = 0x3a

/**
 * Pieces up to this size go to JSON.parse as they are: the native parse of one string beats cutting it up in
 * JavaScript (a 10 MB listeners section: about a fifth quicker whole), and a string of this size is small beside the
 * objects it becomes. Larger ones (a 10,000-service dump's 75 MB of clusters) are cut.
 */
export const DEFAULT_MAX_PIECE = 32 * 1024 * 1024

const isWs = (c: number | undefined): boolean => c === SPACE || c === NL || c === CR || c === TAB

class Layout extends Error {}

function text(buf: Buffer, start: number, end: number): string {
  return buf.toString('utf8', start, end)
}

function trim(buf: Buffer, start: number, end: number): [number, number] {
  while (start < end && isWs(buf[start])) start++
  while (end > start && isWs(buf[end - 1])) end--
  return [start, end]
}

/** The object key at [start, end) (a JSON string with its quotes). */
function parseKey(buf: Buffer, start: number, end: number): string {
  const key: unknown = JSON.parse(text(buf, start, end))
  if (typeof key !== 'string') throw new Layout()
  return key
}

/** Index just past the key string that opens at `i`. */
function keyEnd(buf: Buffer, i: number, end: number): number {
  let j = i + 1
  for (;;) {
    const q = buf.indexOf(QUOTE, j)
    if (q < 0 || q >= end) throw new Layout()
    let k = q - 1
    while (k > i && buf[k] === 0x5c) k--
    if ((q - 1 - k) % 2 === 0) return q + 1
    j = q + 1
  }
}

/**
 * The end of the child value that starts at `v` in a container whose children are indented by `indent` spaces: a
 * container opened at the end of its line closes on a line of its own at the same indentation; anything else (a
 * scalar, a string, a container written on one line) ends with its line.
 */
function valueEnd(buf: Buffer, v: number, indent: number, end: number): number {
  const c = buf[v]
  if ((c === LBRACE || c === LBRACKET) && (buf[v + 1] === NL || (buf[v + 1] === CR && buf[v + 2] === NL))) {
    // the closing bracket right after a newline and `indent` spaces; found with the single-byte search (memchr),
    // which is many times faster over indented text than a search for the whole line
    const closing = c === LBRACE ? RBRACE : RBRACKET
    for (let at = v + 1; ; ) {
      const hit = buf.indexOf(closing, at)
      if (hit < 0 || hit >= end) throw new Layout()
      if (opensLineAt(buf, hit, indent)) return hit + 1
      at = hit + 1
    }
  }
  let e = buf.indexOf(NL, v)
  if (e < 0 || e > end) e = end
  return trimLineEnd(buf, v, e)
}

/** Whether buf[i] follows a newline and exactly `indent` spaces: a closing bracket at that depth. */
function opensLineAt(buf: Buffer, i: number, indent: number): boolean {
  if (i - indent - 1 < 0 || buf[i - indent - 1] !== NL) return false
  for (let k = 1; k <= indent; k++) if (buf[i - k] !== SPACE) return false
  return true
}

/** The end of a value written on one line [v, e): without the line's trailing white space and comma. */
function trimLineEnd(buf: Buffer, v: number, e: number): number {
  while (e > v && (isWs(buf[e - 1]) || buf[e - 1] === COMMA)) e--
  return e
}

/** One child of a container: its key (objects only) and the byte range of its value. */
export interface Child {
  key?: string
  start: number
  end: number
}

/** The children of the multi-line container spanning the trimmed range [start, end), values not parsed. */
function childrenOf(buf: Buffer, start: number, end: number): Child[] {
  const open = buf[start]
  const close = open === LBRACE ? RBRACE : RBRACKET
  if ((open !== LBRACE && open !== LBRACKET) || buf[end - 1] !== close) throw new Layout()
  // the first child: `{` or `[`, a newline, k spaces, then the child
  let p = start + 1
  if (buf[p] === CR) p++
  if (buf[p] !== NL) throw new Layout()
  const lineStart = p
  p++
  while (buf[p] === SPACE) p++
  const indent = p - lineStart - 1
  if (indent === 0 || p >= end - 1) throw new Layout()
  const isObject = open === LBRACE
  const out: Child[] = []
  for (;;) {
    // one child: [key, colon,] value
    let v = p
    let key: string | undefined
    if (isObject) {
      if (buf[p] !== QUOTE) throw new Layout()
      const ke = keyEnd(buf, p, end)
      key = parseKey(buf, p, ke)
      v = ke
      while (buf[v] === SPACE || buf[v] === TAB) v++
      if (buf[v] !== COLON) throw new Layout()
      v++
      while (buf[v] === SPACE || buf[v] === TAB) v++
    }
    const e = valueEnd(buf, v, indent, end - 1)
    out.push(isObject ? {key, start: v, end: e} : {start: v, end: e})
    // then `,` and the next child on its own line at the same indentation, or the container's closing line
    let q = e
    while (buf[q] === SPACE || buf[q] === TAB || buf[q] === CR) q++
    if (buf[q] !== COMMA) {
      while (q < end - 1 && isWs(buf[q])) q++
      if (q !== end - 1) throw new Layout()
      return out
    }
    q++
    while (buf[q] === CR) q++
    if (buf[q] !== NL) throw new Layout()
    const ls = q
    q++
    while (buf[q] === SPACE) q++
    if (q - ls - 1 !== indent || q >= end - 1) throw new Layout()
    p = q
  }
}

const isMultiLine = (buf: Buffer, start: number): boolean => buf[start + 1] === NL || (buf[start + 1] === CR && buf[start + 2] === NL)

function parseRange(buf: Buffer, start: number, end: number, maxPiece: number): Json {
  ;[start, end] = trim(buf, start, end)
  const open = buf[start]
  // small, not a container, or a container on one line: as one piece
  if (end - start <= maxPiece || (open !== LBRACE && open !== LBRACKET) || !isMultiLine(buf, start)) return JSON.parse(text(buf, start, end)) as Json
  const children = childrenOf(buf, start, end)
  if (open === LBRACKET) return children.map((c) => parseRange(buf, c.start, c.end, maxPiece))
  const obj: JsonObject = {}
  for (const c of children) {
    const value = parseRange(buf, c.start, c.end, maxPiece)
    // as JSON.parse: an own property even for "__proto__"
    if (c.key === '__proto__') Object.defineProperty(obj, c.key, {value, enumerable: true, writable: true, configurable: true})
    else obj[c.key!] = value
  }
  return obj
}

/**
 * The children of the pretty-printed container in `buf[start, end)` (keys decoded, values left as byte ranges),
 * for a caller that decodes them one at a time; undefined when the value is not a multi-line container laid out
 * one value per line. A range that is cut wrong cannot be valid JSON, so decoding a child also checks the cut.
 */
export function splitContainer(buf: Uint8Array, start = 0, end = buf.byteLength): Child[] | undefined {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  try {
    ;[start, end] = trim(b, start, end)
    if (!isMultiLine(b, start)) return undefined
    return childrenOf(b, start, end)
  } catch {
    return undefined
  }
}

/**
 * The JSON value in `buf[start, end)`, as JSON.parse would return it, parsed piece by piece when it is a large
 * pretty-printed container; undefined when it cannot be (see the module comment).
 */
export function parseLarge(buf: Uint8Array, start = 0, end = buf.byteLength, maxPiece = DEFAULT_MAX_PIECE): Json | undefined {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  try {
    return parseRange(b, start, end, maxPiece)
  } catch {
    return undefined
  }
}

/**
 * Which parts of a value to decode: `true` the whole value; an object the named keys of an object (each decoded as
 * its own projection, other keys left out); a one-element array the same projection for every element of an array.
 * An object projection with the key `@range` (never a proto field) also gives the object's byte range in the input
 * as `"@range": [start, end]`, so that a caller that indexed a few fields can decode the whole object later
 * (ConfigDump.decodeRange): one cluster of a 100 MB dump, without the others.
 */
export type Projection = true | {readonly [key: string]: Projection} | readonly [Projection]

/**
 * The projection with every key also in its lowerCamelCase spelling (protojson's), as `get()` reads fields: a
 * projection written with Envoy's snake_case names then picks the same fields from istioctl's output.
 */
export function eitherSpelling(p: Projection): Projection {
  if (p === true) return p
  if (Array.isArray(p)) return [eitherSpelling(p[0] as Projection)]
  const out: {[key: string]: Projection} = {}
  for (const [key, sub] of Object.entries(p as {readonly [key: string]: Projection})) {
    out[key] = eitherSpelling(sub)
    out[toCamel(key)] ??= out[key]!
  }
  return out
}

/** JSON.parse's value picked down to `p`. */
function pick(value: Json, p: Projection): Json {
  if (p === true) return value
  if (Array.isArray(value)) {
    const each = Array.isArray(p) ? (p[0] as Projection) : p
    return value.map((v) => pick(v, each))
  }
  if (value === null || typeof value !== 'object' || Array.isArray(p)) return value
  const spec = p as {readonly [key: string]: Projection}
  // an object whose range was asked for, but whose bytes are not at hand here (written on one line inside its
  // container): kept whole, so that an object without `@range` is always complete
  if (Object.hasOwn(spec, RANGE)) return value
  const out: JsonObject = {}
  for (const key of Object.keys(value)) {
    if (Object.hasOwn(spec, key)) setOwn(out, key, pick((value as JsonObject)[key] as Json, spec[key]!))
  }
  return out
}

function setOwn(obj: JsonObject, key: string, value: Json): void {
  // as JSON.parse: an own property even for "__proto__"
  if (key === '__proto__') Object.defineProperty(obj, key, {value, enumerable: true, writable: true, configurable: true})
  else obj[key] = value
}

const RANGE = '@range'

/** Records the object's range when the projection asks for it (`@range`). */
function withRange(value: Json, p: Projection, start: number, end: number, origin: number): Json {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && p !== true && !Array.isArray(p) && Object.hasOwn(p, RANGE)) {
    ;(value as JsonObject)[RANGE] = [origin + start, origin + end]
  }
  return value
}

/** `origin` is the input position of buf[0], for `@range`. */
function projectRange(buf: Buffer, start: number, end: number, p: Projection, maxPiece: number, origin = 0): Json {
  if (p === true) return parseRange(buf, start, end, maxPiece)
  ;[start, end] = trim(buf, start, end)
  const open = buf[start]
  // a scalar, or a container written on one line: parsed whole, then picked
  if ((open !== LBRACE && open !== LBRACKET) || !isMultiLine(buf, start)) return withRange(pick(JSON.parse(text(buf, start, end)) as Json, p), p, start, end, origin)
  const children = childrenOf(buf, start, end)
  if (open === LBRACKET) {
    const each = Array.isArray(p) ? (p[0] as Projection) : p
    return children.map((c) => projectRange(buf, c.start, c.end, each, maxPiece, origin))
  }
  if (Array.isArray(p)) return parseRange(buf, start, end, maxPiece)
  const spec = p as {readonly [key: string]: Projection}
  const obj: JsonObject = {}
  for (const c of children) {
    if (c.key !== RANGE && Object.hasOwn(spec, c.key!)) setOwn(obj, c.key!, projectRange(buf, c.start, c.end, spec[c.key!]!, maxPiece, origin))
  }
  return withRange(obj, p, start, end, origin)
}

/**
 * The JSON value in `buf[start, end)` reduced to the parts `p` names, decoding only those: a pretty-printed
 * document is cut into its children by indentation (as parseLarge) and the children `p` leaves out are skipped
 * without being parsed. The same value as picking from JSON.parse's; undefined when the layout is not the expected
 * one or a decoded part does not parse (the caller then decodes the whole value). Bytes that are skipped are not
 * checked for JSON syntax.
 */
export function parseProjected(buf: Uint8Array, p: Projection, start = 0, end = buf.byteLength, maxPiece = DEFAULT_MAX_PIECE, origin = 0): Json | undefined {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  try {
    return projectRange(b, start, end, p, maxPiece, origin)
  } catch {
    return undefined
  }
}

/**
 * A window over `reader`'s bytes [.., limit), held in one buffer that is reused as the window moves: a section is
 * walked from the file without ever being held whole (nor its pages touched more than once).
 */
class Window {
  buf: Buffer
  /** absolute position of buf[0] */
  base: number
  /** bytes of buf that hold data */
  len = 0
  constructor(
    private readonly reader: ByteReader,
    start: number,
    private readonly limit: number,
    private readonly step: number,
  ) {
    this.buf = Buffer.allocUnsafeSlow(Math.min(step, limit - start))
    this.base = start
  }
  get end(): number {
    return this.base + this.len
  }
  /**
   * Reads on until the window holds [keep, want) (or up to the limit), dropping what lies before `keep`; false when
   * nothing more could be read.
   */
  more(keep: number, want: number): boolean {
    if (this.end >= this.limit) return false
    want = Math.min(this.limit, Math.max(want, this.end + 1))
    if (keep > this.base) {
      this.buf.copy(this.buf, 0, keep - this.base, this.len)
      this.len -= keep - this.base
      this.base = keep
    }
    // a value longer than the window: the window grows to hold it
    if (want - this.base > this.buf.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(want - this.base, this.buf.length * 2))
      this.buf.copy(bigger, 0, 0, this.len)
      this.buf = bigger
    }
    const to = Math.min(this.limit, this.base + this.buf.length)
    const got = this.reader.read(this.end, to, this.buf.subarray(this.len, to - this.base))
    if (got.buffer !== this.buf.buffer || got.byteOffset !== this.buf.byteOffset + this.len) got.copy(this.buf, this.len)
    this.len += got.length
    return got.length > 0
  }
  /** the byte at absolute position i, reading on (keeping from `keep`) as needed; undefined past the limit */
  at(i: number, keep: number): number | undefined {
    while (i >= this.end) if (!this.more(keep, i + 1)) return undefined
    return this.buf[i - this.base]
  }
  /**
   * The absolute position of the first `c` at or after `from` that opens a line after exactly `indent` spaces (a
   * closing bracket at that depth); the window keeps `keep` on (or the few bytes before each search when keep is
   * undefined: a value that is skipped is not held).
   */
  closing(c: number, from: number, indent: number, keep: number | undefined): number {
    for (let at = from; ; ) {
      const hit = this.buf.indexOf(c, at - this.base)
      if (hit < 0 || hit >= this.len) {
        at = this.end
        if (!this.more(keep ?? Math.max(this.base, at - indent - 2), at + this.step)) throw new Layout()
        continue
      }
      if (opensLineAt(this.buf, hit, indent)) return this.base + hit
      at = this.base + hit + 1
    }
  }
  /** whether a container opens at i and ends its line there (a value laid out one child per line) */
  opensBlock(i: number, keep: number): boolean {
    const c = this.at(i, keep)
    if (c !== LBRACE && c !== LBRACKET) return false
    const n = this.at(i + 1, keep)
    return n === NL || (n === CR && this.at(i + 2, keep) === NL)
  }
  /** at `at`, a line break then spaces: the position after them and how many there are */
  nextLine(at: number): [number, number] {
    while (this.at(at, at) === CR) at++
    if (this.at(at, at) !== NL) throw new Layout()
    const ls = ++at
    while (this.at(at, ls) === SPACE) at++
    return [at, at - ls]
  }
  /** the end of the one-line value that starts at v (see trimLineEnd); the window keeps v */
  lineValueEnd(v: number): number {
    return trimLineEnd(this.buf, v - this.base, this.lineEnd(v, v) - this.base) + this.base
  }
  /** the absolute position of the next newline at or after `from` (or the limit) */
  lineEnd(from: number, keep: number): number {
    for (let at = from; ; ) {
      const hit = this.buf.indexOf(NL, at - this.base)
      if (hit >= 0 && hit < this.len) return this.base + hit
      at = this.end
      if (!this.more(keep, at + this.step)) return this.limit
    }
  }
}

/** The value at [v, e) of the window, decoded down to `p` (a value on one line, or a multi-line container). */
function projectIn(w: Window, v: number, e: number, p: Projection): Json {
  return projectRange(w.buf, v - w.base, e - w.base, p, DEFAULT_MAX_PIECE, w.base)
}

/** Receives the elements of a section's arrays one at a time: the array's key, the element decoded, its input byte range. */
export type ElementSink = (key: string, value: Json, start: number, end: number) => void

/**
 * The pretty-printed object at `reader`'s [start, end) (a config section), decoded down to `p` like parseProjected,
 * but read through a small window that moves along: the members `p` leaves out are skipped as they stream by, and an
 * array member `p` projects is decoded one element at a time. Neither the section's bytes nor its unneeded parts
 * are ever held, so a view that reads a few fields of a huge section reads it at the speed of the disk. undefined
 * when the layout is not one value per line or a decoded part does not parse (the caller decodes otherwise).
 *
 * With `sink`, the elements of the arrays `p` reaches into go to it one at a time as they are decoded, with their
 * byte ranges, and those arrays are left empty in the result: a caller that reduces each element to a few fields
 * (a cluster to its node in the config graph) never holds the section's elements together, so they die young
 * instead of being promoted and marked. Should the layout turn out unexpected part-way (undefined), the sink has
 * had only some of the elements: the caller starts over from the decoded section.
 */
export function projectFromReader(reader: ByteReader, start: number, end: number, p: Projection, step = 4 * 1024 * 1024, sink?: ElementSink): Json | undefined {
  if (p === true || Array.isArray(p)) return undefined
  const spec = p as {readonly [key: string]: Projection}
  try {
    const w = new Window(reader, start, end, step)
    w.more(start, start + 1)
    let q = start
    const byte = (i: number, keep: number): number | undefined => w.at(i, keep)
    while (isWs(byte(q, q))) q++
    if (byte(q, q) !== LBRACE) throw new Layout()
    let indent: number
    ;[q, indent] = w.nextLine(q + 1)
    if (indent === 0) throw new Layout()
    const obj: JsonObject = {}
    for (;;) {
      // a member: "key": value, with the key on this line
      const c = q
      if (byte(c, c) !== QUOTE) throw new Layout()
      while (w.end < Math.min(end, c + 4096) && w.more(c, c + 4096)) {}
      const ke = keyEnd(w.buf, c - w.base, w.len) + w.base
      const key = parseKey(w.buf, c - w.base, ke - w.base)
      let v = ke
      while (byte(v, c) === SPACE || byte(v, c) === TAB) v++
      if (byte(v, c) !== COLON) throw new Layout()
      v++
      while (byte(v, c) === SPACE || byte(v, c) === TAB) v++
      const sub = Object.hasOwn(spec, key) ? spec[key] : undefined
      const open = byte(v, v)
      let e: number
      if (!w.opensBlock(v, v)) {
        e = w.lineValueEnd(v)
        const value = sub === undefined ? undefined : projectIn(w, v, e, sub)
        // the sink needs each element's own range: an array on one line can give none, unless it is empty
        if (sink && Array.isArray(sub) && !(Array.isArray(value) && value.length === 0)) throw new Layout()
        if (value !== undefined) setOwn(obj, key, value)
      } else if (sub !== undefined && sub !== true && open === LBRACKET) {
        // an array the projection reaches into: element by element, each one held only while it is decoded
        const element = Array.isArray(sub) ? (sub[0] as Projection) : sub
        const items: Json[] = []
        let [r, elIndent] = w.nextLine(v + 1)
        if (elIndent <= indent) throw new Layout()
        for (;;) {
          const s = r
          const ee = w.opensBlock(s, s) ? w.closing(byte(s, s) === LBRACE ? RBRACE : RBRACKET, s + 1, elIndent, s) + 1 : w.lineValueEnd(s)
          if (sink) sink(key, projectIn(w, s, ee, element), s, ee)
          else items.push(projectIn(w, s, ee, element))
          r = ee
          while (byte(r, r) === SPACE || byte(r, r) === TAB || byte(r, r) === CR) r++
          if (byte(r, r) !== COMMA) break
          let next: number
          ;[r, next] = w.nextLine(r + 1)
          if (next !== elIndent) throw new Layout()
        }
        // the array's closing line, at the member's indentation
        let newline = false
        for (let b = byte(r, r); b === NL || b === CR; b = byte(r, r)) {
          if (b === NL) newline = true
          r++
        }
        const ls3 = r
        while (byte(r, ls3) === SPACE) r++
        if (!newline || r - ls3 !== indent || byte(r, r) !== RBRACKET) throw new Layout()
        e = r + 1
        setOwn(obj, key, items)
      } else {
        // a container on lines of its own: it closes on a line at the member's indentation
        e = w.closing(open === LBRACE ? RBRACE : RBRACKET, v + 1, indent, sub === undefined ? undefined : v) + 1
        if (sub !== undefined) setOwn(obj, key, projectIn(w, v, e, sub))
      }
      // then `,` and the next member on a line of its own, or the object's closing bracket
      q = e
      while (byte(q, q) === SPACE || byte(q, q) === TAB || byte(q, q) === CR) q++
      if (byte(q, q) !== COMMA) {
        while (isWs(byte(q, q))) q++
        if (byte(q, q) !== RBRACE) throw new Layout()
        q++
        while (q < end && isWs(byte(q, q))) q++
        if (q !== end) throw new Layout()
        return obj
      }
      let next: number
      ;[q, next] = w.nextLine(q + 1)
      if (next !== indent) throw new Layout()
    }
  } catch (err) {
    if (err instanceof Layout || err instanceof SyntaxError) return undefined
    throw err
  }
}

/** Thrown by streamTopArray's elements when the layout turns out not to be the expected one part-way through. */
export class SplitLayoutError extends Error {}

export interface StreamedElement {
  /** byte range in the input */
  start: number
  end: number
  /** the element's bytes */
  bytes: Buffer
}

/**
 * `{"<key>": [ ... ]}` (the key one of `keys`, the only one) read from `reader` one chunk at a time: the elements
 * of the array, multi-line objects laid out one value per line, each with its bytes and range, so that a document
 * larger than memory is decoded element by element without being held. undefined when the head of the document
 * is not that; the elements throw SplitLayoutError should the layout change later (the caller then reads the
 * whole document).
 */
export function streamTopArray(reader: ByteReader, keys: readonly string[], chunkSize = 4 * 1024 * 1024): {key: string; elements: () => Generator<StreamedElement>} | undefined {
  const head = reader.read(0, Math.min(reader.size, 64 * 1024))
  let p = 0
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) p = 3
  while (isWs(head[p])) p++
  if (head[p] !== LBRACE) return undefined
  p++
  while (isWs(head[p])) p++
  if (head[p] !== QUOTE) return undefined
  let key: string
  let ke: number
  try {
    ke = keyEnd(head, p, head.length)
    key = parseKey(head, p, ke)
  } catch {
    return undefined
  }
  if (!keys.includes(key)) return undefined
  p = ke
  while (head[p] === SPACE || head[p] === TAB) p++
  if (head[p] !== COLON) return undefined
  p++
  while (head[p] === SPACE || head[p] === TAB) p++
  if (head[p] !== LBRACKET || !isMultiLine(head, p)) return undefined
  // the first element: a newline, k spaces, `{` at the end of its line
  p++
  if (head[p] === CR) p++
  p++
  const lineStart = p
  while (head[p] === SPACE) p++
  const indent = p - lineStart
  if (indent === 0 || head[p] !== LBRACE || !isMultiLine(head, p)) return undefined
  const first = p
  const size = reader.size

  function* elements(): Generator<StreamedElement> {
    // the answer streams through one window; each element is copied out of it before the window moves on
    const w = new Window(reader, first, size, chunkSize)
    const byte = (i: number): number | undefined => w.at(i, i)
    let at = first
    try {
      for (;;) {
        // the element's closing line: `indent` spaces and `}` right after a newline
        const end = w.closing(RBRACE, at + 1, indent, at) + 1
        yield {start: at, end, bytes: Buffer.from(w.buf.subarray(at - w.base, end - w.base))}
        // then `,` and the next element, or the end of the array and of the document
        let q = end
        while (byte(q) === SPACE || byte(q) === TAB || byte(q) === CR) q++
        if (byte(q) === COMMA) {
          let next: number
          ;[q, next] = w.nextLine(q + 1)
          if (next !== indent || byte(q) !== LBRACE || !w.opensBlock(q, q)) throw new Layout()
          at = q
          continue
        }
        while (isWs(byte(q))) q++
        if (byte(q) !== RBRACKET) throw new Layout()
        q++
        while (isWs(byte(q))) q++
        if (byte(q) !== RBRACE) throw new Layout()
        q++
        while (q < size && isWs(byte(q))) q++
        if (q !== size) throw new Layout()
        return
      }
    } catch (err) {
      throw err instanceof Layout ? new SplitLayoutError() : err
    }
  }
  return {key, elements}
}

/**
 * The JSON text of `buf[start, end)` with the value of every `"<key>": [` array written on lines of its own
 * replaced by `[]`: for a view that never reads those arrays (the endpoints table and the per-host `stats` of a
 * `/clusters` answer, 30 % of its bytes), which then decodes only the rest. Arrays laid out otherwise are kept.
 * The text is valid JSON whenever the input is; the caller parses it and falls back to the full text on error.
 */
export function textWithoutArrays(buf: Buffer, start: number, end: number, key: string): string {
  const pieces: string[] = []
  let from = start
  const needle = Buffer.from(`"${key}": [`)
  for (let pos = start; ; ) {
    const hit = buf.indexOf(needle, pos)
    if (hit < 0 || hit >= end) break
    const open = hit + needle.length - 1
    pos = open + 1
    if (!isMultiLine(buf, open)) continue
    // the key opens its line: its array closes on a line of the same indentation
    let ls = hit
    while (ls > start && buf[ls - 1] === SPACE) ls--
    if (buf[ls - 1] !== NL) continue
    let close: number
    try {
      close = valueEnd(buf, open, hit - ls, end)
    } catch {
      continue
    }
    pieces.push(buf.toString('utf8', from, open), '[]')
    from = close
    pos = close
  }
  if (pieces.length === 0) return buf.toString('utf8', start, end)
  pieces.push(buf.toString('utf8', from, end))
  return pieces.join('')
}

/**
 * The elements that contain one of `needles`, of the array members `arrayKeys` of the pretty-printed object (a
 * config section) at `reader`'s [start, end), as byte ranges with the key of their array: found with native searches
 * through one reused window, nothing decoded and nothing walked byte by byte. For a lookup by name in a huge
 * section: `"name": "<cluster>"` finds one cluster of 10,000 without reading the others. The section's members sit
 * on lines of one indentation and the arrays' elements one level deeper, so one pass finds both the member lines
 * (which array a hit is in) and the needles, and a hit's element is cut at the lines of its indentation. undefined
 * when the layout is not that. A range is cut by indentation only: the caller decodes it, which checks the cut, and
 * checks that the element is the one it wants (the needle may occur inside another element too).
 */
export function findArrayElements(reader: ByteReader, start: number, end: number, arrayKeys: readonly string[], needles: readonly string[], step = 4 * 1024 * 1024): Array<{key: string; start: number; end: number}> | undefined {
  // the layout from the section's first lines: `{` at indentation s, members at m, their elements at m + (m - s)
  const headFrom = Math.max(0, start - 256)
  const head = reader.read(headFrom, Math.min(end, start + 4096))
  const open = start - headFrom
  if (head[open] !== LBRACE) return undefined
  let ls = open
  while (ls > 0 && head[ls - 1] === SPACE) ls--
  const outer = ls > 0 && head[ls - 1] !== NL ? -1 : open - ls
  let p = open + 1
  if (head[p] === CR) p++
  if (head[p] !== NL) return undefined
  const ms = ++p
  while (head[p] === SPACE) p++
  const member = p - ms
  if (head[p] !== QUOTE || member === 0) return undefined
  // a section in Envoy's `configs` array: its `{` opens a line of its own (else assume the usual two-space step)
  const elementIndent = member + (outer >= 0 && outer < member ? member - outer : 2)
  const memberLine = Buffer.from(`\n${' '.repeat(member)}"`)
  const patterns = [memberLine, ...needles.map((n) => Buffer.from(n))]
  const longest = Math.max(...patterns.map((x) => x.length))
  const hitsOf: number[][] = patterns.map(() => [])
  const buf = Buffer.allocUnsafe(Math.min(step, end - start) + longest)
  for (let at = start; at < end; at += step) {
    const to = Math.min(end, at + step + longest - 1)
    const view = reader.read(at, to, buf)
    for (const [k, pattern] of patterns.entries()) {
      for (let i = view.indexOf(pattern); i >= 0 && at + i + pattern.length <= to; i = view.indexOf(pattern, i + 1)) {
        // a hit in the overlap with the next window is taken there
        if (i < step || at + step >= end) hitsOf[k]!.push(at + i)
      }
    }
  }
  // the members: their keys, in order; the arrays asked for start at theirs
  const members: Array<{key: string; at: number}> = []
  for (const at of hitsOf[0]!) {
    const q = at + memberLine.length - 1
    const chunk = reader.read(q, Math.min(end, q + 512))
    try {
      members.push({key: parseKey(chunk, 0, keyEnd(chunk, 0, chunk.length)), at: q})
    } catch {
      return undefined
    }
  }
  const openLine = Buffer.from(`\n${' '.repeat(elementIndent)}{`)
  const closeLine = Buffer.from(`\n${' '.repeat(elementIndent)}}`)
  const out: Array<{key: string; start: number; end: number}> = []
  const seen = new Set<number>()
  for (const hit of hitsOf.slice(1).flat().sort((a, b) => a - b)) {
    let m: (typeof members)[number] | undefined
    for (const x of members) if (x.at < hit) m = x
    if (!m || !arrayKeys.includes(m.key)) continue
    // the element's first line, searching back from the hit in growing reads
    let s = -1
    for (let back = 64 * 1024; s < 0; back *= 2) {
      const from = Math.max(m.at, hit - back)
      const i = reader.read(from, hit).lastIndexOf(openLine)
      if (i >= 0) s = from + i + openLine.length - 1
      else if (from === m.at) break
    }
    if (s < 0 || seen.has(s)) continue
    // and its closing line, searching forward
    let e = -1
    for (let ahead = 64 * 1024; e < 0; ahead *= 2) {
      const to = Math.min(end, hit + ahead)
      const i = reader.read(hit, to).indexOf(closeLine)
      if (i >= 0) e = hit + i + closeLine.length
      else if (to === end) break
    }
    if (e < 0) return undefined
    seen.add(s)
    out.push({key: m.key, start: s, end: e})
  }
  return out
}
