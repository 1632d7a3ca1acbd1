/**
 * A byte scanner that finds the entries of a config_dump's top-level `configs` array and each entry's
 * `@type` without decoding anything else, so a view decodes only the sections it shows (and a dump larger
 * than V8's maximum string length can still be read section by section). Returns undefined whenever the
 * bytes are not the expected shape; callers then fall back to a full parse, which reports errors precisely.
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const LBRACE = 0x7b
const RBRACE = 0x7d
const LBRACKET = 0x5b
const RBRACKET = 0x5d
const COLON = 0x3a
const COMMA = 0x2c

export interface ScannedEntry {
  start: number
  end: number
  type: string
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

/** Index just past the string that opens at `i` (a quote), or -1 if it never closes. */
function skipString(buf: Uint8Array, i: number): number {
  let j = i + 1
  for (;;) {
    const q = (buf as Buffer).indexOf(QUOTE, j)
    if (q < 0) return -1
    // count the backslashes right before the quote: an odd number escapes it
    let k = q - 1
    while (k > i && buf[k] === BACKSLASH) k--
    if ((q - 1 - k) % 2 === 0) return q + 1
    j = q + 1
  }
}

/** Index just past the object or array that opens at `i`, or -1 on unbalanced or unterminated input. */
function skipContainer(buf: Uint8Array, i: number): number {
  const stack: number[] = []
  const n = buf.length
  for (let p = i; p < n; p++) {
    const c = buf[p]
    if (c === QUOTE) {
      const next = skipString(buf, p)
      if (next < 0) return -1
      p = next - 1
    } else if (c === LBRACE || c === LBRACKET) {
      stack.push(c === LBRACE ? RBRACE : RBRACKET)
    } else if (c === RBRACE || c === RBRACKET) {
      if (stack.pop() !== c) return -1
      if (stack.length === 0) return p + 1
    }
  }
  return -1
}

function skipWs(buf: Uint8Array, i: number): number {
  while (i < buf.length && isWs(buf[i])) i++
  return i
}

function decodeString(buf: Uint8Array, start: number, end: number): string {
  const raw = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8')
  return raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1)
}

const SCALAR = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?)$/

/** Skips any JSON value at `i` (object, array, string or scalar); -1 on trouble. */
function skipValue(buf: Uint8Array, i: number): number {
  const c = buf[i]
  if (c === LBRACE || c === LBRACKET) return skipContainer(buf, i)
  if (c === QUOTE) return skipString(buf, i)
  let p = i
  while (p < buf.length && buf[p] !== COMMA && buf[p] !== RBRACE && buf[p] !== RBRACKET && !isWs(buf[p])) p++
  if (p === i || !SCALAR.test(Buffer.from(buf.buffer, buf.byteOffset + i, p - i).toString('latin1'))) return -1
  return p
}

/** The `@type` of the object entry spanning [start, end): a direct key, found without decoding the rest. */
function entryType(buf: Uint8Array, start: number, end: number): string | undefined {
  let i = skipWs(buf, start + 1)
  while (i < end && buf[i] === QUOTE) {
    const keyEnd = skipString(buf, i)
    if (keyEnd < 0) return undefined
    const key = decodeString(buf, i, keyEnd)
    i = skipWs(buf, keyEnd)
    if (buf[i] !== COLON) return undefined
    i = skipWs(buf, i + 1)
    const valueEnd = skipValue(buf, i)
    if (valueEnd < 0) return undefined
    if (key === '@type') return buf[i] === QUOTE ? decodeString(buf, i, valueEnd) : ''
    i = skipWs(buf, valueEnd)
    if (buf[i] === COMMA) i = skipWs(buf, i + 1)
  }
  return ''
}

/** Locates the `configs` entries of a JSON config_dump; undefined if the bytes are not such a document. */
export function scanConfigDump(buf: Uint8Array): ScannedEntry[] | undefined {
  let i = skipWs(buf, 0)
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = skipWs(buf, 3)
  if (buf[i] !== LBRACE) return undefined
  i = skipWs(buf, i + 1)
  let entries: ScannedEntry[] | undefined
  while (i < buf.length && buf[i] === QUOTE) {
    const keyEnd = skipString(buf, i)
    if (keyEnd < 0) return undefined
    const key = decodeString(buf, i, keyEnd)
    i = skipWs(buf, keyEnd)
    if (buf[i] !== COLON) return undefined
    i = skipWs(buf, i + 1)
    if (key === 'configs') {
      if (buf[i] !== LBRACKET) return undefined
      entries = []
      i = skipWs(buf, i + 1)
      while (buf[i] !== RBRACKET) {
        if (buf[i] !== LBRACE) return undefined
        const end = skipContainer(buf, i)
        if (end < 0) return undefined
        const type = entryType(buf, i, end)
        if (type === undefined) return undefined
        entries.push({start: i, end, type})
        i = skipWs(buf, end)
        if (buf[i] === COMMA) {
          i = skipWs(buf, i + 1)
          if (buf[i] !== LBRACE) return undefined
        } else if (buf[i] !== RBRACKET) return undefined
      }
      i++
    } else {
      const end = skipValue(buf, i)
      if (end < 0) return undefined
      i = end
    }
    i = skipWs(buf, i)
    if (buf[i] === COMMA) {
      i = skipWs(buf, i + 1)
      if (buf[i] !== QUOTE) return undefined
    } else if (buf[i] !== RBRACE) return undefined
  }
  if (buf[i] !== RBRACE) return undefined
  // nothing but white space may follow the document
  if (skipWs(buf, i + 1) !== buf.length) return undefined
  return entries
}

const ADMIN_TYPE = Buffer.from('"type.googleapis.com/envoy.admin.')
// JSON may escape a slash (`\/`, as PHP's and some Go encoders write it): the same type URL
const ADMIN_TYPE_ESCAPED = Buffer.from('"type.googleapis.com\\/envoy.admin.')
const ESCAPED_SLASH = Buffer.from('\\/')

/**
 * The `@type`-like hits of one buffer in either spelling, asked for at positions that never go back: the next one at
 * or after `pos`, -1 when none. Each spelling's last answer stands while it lies ahead (or was "none"), so that the
 * spelling a dump does not use is searched for once per buffer, not again from every hit of the other (which read
 * a whole in-memory dump once per section).
 */
function adminTypeHits(b: Buffer): (pos: number) => number {
  let plain = -2
  // a buffer without any `\/` (most: Go and Envoy do not escape slashes) is not searched for the escaped spelling
  // (a search for the rare backslash is much quicker than one for a type URL among thousands of others)
  let escaped = b.indexOf(ESCAPED_SLASH) < 0 ? -1 : -2
  return (pos) => {
    if (plain !== -1 && plain < pos) plain = b.indexOf(ADMIN_TYPE, pos)
    if (escaped !== -1 && escaped < pos) escaped = b.indexOf(ADMIN_TYPE_ESCAPED, pos)
    return plain < 0 ? escaped : escaped < 0 ? plain : Math.min(plain, escaped)
  }
}
const TYPE_KEY = Buffer.from('"@type"')
const CONFIGS_KEY = Buffer.from('"configs"')

function skipWsBack(buf: Uint8Array, i: number): number {
  while (i >= 0 && isWs(buf[i])) i--
  return i
}

function endsWithAt(buf: Uint8Array, end: number, token: Uint8Array): boolean {
  const start = end - token.length + 1
  if (start < 0) return false
  for (let k = 0; k < token.length; k++) if (buf[start + k] !== token[k]) return false
  return true
}

/**
 * The fast path: Envoy (and protojson) write `@type` first in every config entry, so the entries can be found
 * with the native substring search for `"type.googleapis.com/envoy.admin.`, checking that each hit is the
 * first key of an element of the top-level `configs` array, without walking the bytes of the sections in
 * between (locateConfigEntriesIn over the whole buffer as one chunk). Anything unexpected returns undefined, and
 * the full scan decides.
 */
function locateByType(buf: Uint8Array): ScannedEntry[] | undefined {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  return locateConfigEntriesIn({size: b.length, read: (start, end) => b.subarray(start, end)}, b.length)
}

/**
 * Locates the config entries of a JSON config_dump: the fast path when the document has Envoy's layout,
 * else the full structural scan. Either way nothing inside a section is decoded.
 */
export function locateConfigEntries(buf: Uint8Array): ScannedEntry[] | undefined {
  const fast = locateByType(buf)
  if (fast) return fast
  // only a document whose first key is "configs" is worth walking byte by byte (a /clusters answer is not)
  let i = skipWs(buf, buf[0] === 0xef ? 3 : 0)
  if (buf[i] !== LBRACE) return undefined
  i = skipWs(buf, i + 1)
  const keyEnd = buf[i] === QUOTE ? skipString(buf, i) : -1
  if (keyEnd < 0 || decodeString(buf, i, keyEnd) !== 'configs') return undefined
  return scanConfigDump(buf)
}

/** Random access to an input too large to hold whole (a file): `read` returns the bytes in [start, end). */
export interface ByteReader {
  readonly size: number
  /**
   * The bytes [start, end). With `into` (at least end - start long) a reader may read them into it and return a
   * view of it, so that a caller walking a large input reuses one buffer; the result must be used either way.
   */
  read(start: number, end: number, into?: Buffer): Buffer
}

/** Bytes kept on each side of a chunk boundary: every check around a `@type` hit looks at most this far. */
const MARGIN = 4096

/**
 * The fast locator over a ByteReader, one chunk at a time, so that the entries of a dump larger than memory (or
 * than V8's string limit) are found without holding the file: every hit of `"type.googleapis.com/envoy.admin.`
 * must be the value of the first key, `@type`, of an element of the top-level `configs` array. Returns undefined
 * when anything is unexpected, or when a check would need bytes beyond the margin (the caller then decides with
 * the whole input).
 */
export function locateConfigEntriesIn(reader: ByteReader, chunkSize = 8 * 1024 * 1024): ScannedEntry[] | undefined {
  const size = reader.size
  if (size === 0) return undefined
  const starts: Array<{start: number; type: string}> = []
  const step = Math.max(chunkSize, 4 * MARGIN)
  // one buffer for every chunk when there are several: the file streams through it
  const scratch = size > step ? Buffer.allocUnsafeSlow(step + 2 * MARGIN) : undefined
  for (let base = 0; base < size; base += step) {
    // the chunk [base, base + step) plus a margin on each side; hits are taken only inside [base, base + step)
    const from = Math.max(0, base - MARGIN)
    const to = Math.min(size, base + step + MARGIN)
    const b = reader.read(from, to, scratch)
    const nextAdminType = adminTypeHits(b)
    let pos = base - from
    const limit = Math.min(step, size - base) + (base - from)
    for (;;) {
      const hit = nextAdminType(pos)
      if (hit < 0 || hit >= limit) break
      const close = b.indexOf(QUOTE, hit + 1)
      if (close < 0) return undefined
      pos = close + 1
      let i = skipWsBack(b, hit - 1)
      if (i < 0) return undefined
      if (b[i] !== COLON) continue
      i = skipWsBack(b, i - 1)
      if (!endsWithAt(b, i, TYPE_KEY)) continue
      i = skipWsBack(b, i - TYPE_KEY.length)
      if (b[i] !== LBRACE) continue
      const objStart = i
      i = skipWsBack(b, i - 1)
      if (i < 0) return undefined
      if (b[i] !== LBRACKET && b[i] !== COMMA) continue
      starts.push({start: from + objStart, type: decodeString(b, hit, close + 1)})
    }
  }
  if (starts.length === 0) return undefined
  // the first entry opens `{"configs": [`: everything before it is in the head
  const headEnd = starts[0]!.start
  if (headEnd > MARGIN) return undefined
  const head = reader.read(0, headEnd)
  let i = skipWsBack(head, headEnd - 1)
  if (head[i] !== LBRACKET) return undefined
  i = skipWsBack(head, i - 1)
  if (head[i] !== COLON) return undefined
  i = skipWsBack(head, i - 1)
  if (!endsWithAt(head, i, CONFIGS_KEY)) return undefined
  i = skipWsBack(head, i - CONFIGS_KEY.length)
  if (head[i] !== LBRACE || skipWs(head, head[0] === 0xef ? 3 : 0) !== i) return undefined
  // the document ends `} ] }`
  const tailFrom = Math.max(0, size - MARGIN)
  const tail = reader.read(tailFrom, size)
  let end = skipWsBack(tail, tail.length - 1)
  if (tail[end] !== RBRACE) return undefined
  end = skipWsBack(tail, end - 1)
  if (end < 0 || tail[end] !== RBRACKET) return undefined
  const docEnd = tailFrom + end
  const entries: ScannedEntry[] = []
  for (let k = 0; k < starts.length; k++) {
    // an entry ends at the `}` before `, {next}` (or before the closing `]`)
    const next = k + 1 < starts.length ? starts[k + 1]!.start : docEnd
    const wFrom = Math.max(starts[k]!.start, next - MARGIN)
    const w = reader.read(wFrom, next)
    let j = skipWsBack(w, w.length - 1)
    if (k + 1 < starts.length) {
      if (j < 0 || w[j] !== COMMA) return undefined
      j = skipWsBack(w, j - 1)
    }
    if (j < 0 || w[j] !== RBRACE) return undefined
    entries.push({start: starts[k]!.start, end: wFrom + j + 1, type: starts[k]!.type})
  }
  return entries
}
