/**
 * An HTTP/1.1 response read straight from the bytes of a port-forward stream, for the one request meshctl sends on
 * each stream (`Connection: close`). It takes the place of `http.request` over a Duplex made of two PassThroughs:
 * that path copied every body byte three times (the HTTP parser's own copy of each chunk, a stream hop, and the final
 * `Buffer.concat`) and cost ~40 % of the client's CPU while a 10 MB answer arrived. Here the body is copied once,
 * into a buffer of the announced `Content-Length` when there is one.
 *
 * Message framing as RFC 9112 §6.3 orders it: a response to HEAD, a 1xx (skipped: the final response follows), 204
 * and 304 have no body; `Transfer-Encoding` whose last coding is `chunked` (§7.1: chunk-size in hex, optional
 * extensions after `;`, CRLF, data, CRLF; a zero chunk, then trailer fields, then CRLF); else `Content-Length`; else
 * the body runs until the connection closes. Lines may end in a bare LF (§2.2 lets a recipient accept that). A
 * malformed message is an error, never a guess.
 */

import {allocPages} from '../util/buffers.js'

export interface Http1Response {
  status: number
  /** field names in lower case; a repeated field's values joined with `, ` */
  headers: Record<string, string>
  body: Buffer
}

const CR = 0x0d
const LF = 0x0a
const MAX_HEAD = 256 * 1024
const HTTP1 = Buffer.from('HTTP/1.')

function notHttp(start: Buffer): never {
  const line = start.toString('latin1', 0, 200).split(/\r?\n/, 1)[0]!
  throw new Error(`not an HTTP/1.x response: ${JSON.stringify(line.slice(0, 60))}`)
}

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close' | 'done'

export class Http1ResponseReader {
  private state: State = 'head'
  /** bytes of a line (head, chunk size, trailers) not complete yet */
  private pending: Buffer | undefined
  private status = 0
  private headers: Record<string, string> = {}
  /** Content-Length body: one buffer, filled at `filled` */
  private fixed: Buffer | undefined
  private filled = 0
  /** chunked or close-delimited body */
  private parts: Buffer[] = []
  private partsLength = 0
  private chunkLeft = 0

  constructor(private readonly method: string) {}

  /** The response is complete (more bytes would be a protocol error). */
  get done(): boolean {
    return this.state === 'done'
  }

  /** The status line and header fields have been read. */
  get headComplete(): boolean {
    return this.state !== 'head'
  }

  /**
   * Feeds bytes in arrival order; throws on a malformed response. Returns whether the reader kept a view of `data`
   * (a part of a chunked or close-delimited body): when it did not, every byte it needs was copied and `data` is
   * the caller's again (the transport frees it at once).
   */
  push(data: Buffer): boolean {
    const kept = this.parts.length
    this.pushBytes(data)
    return this.parts.length !== kept
  }

  private pushBytes(data: Buffer): void {
    let off = 0
    while (off < data.length) {
      switch (this.state) {
        case 'head': {
          // the head is small: bytes kept from earlier pushes are joined with this one's
          const kept = this.pending?.length ?? 0
          const buf = this.pending ? Buffer.concat([this.pending, data.subarray(off)]) : data.subarray(off)
          const end = blankLine(buf, Math.max(0, kept - 3))
          if (end < 0) {
            if (buf.length > MAX_HEAD) throw new Error('HTTP response header too long')
            // something else than HTTP is an error at once, not when the connection ends
            const n = Math.min(buf.length, HTTP1.length)
            if (!buf.subarray(0, n).equals(HTTP1.subarray(0, n))) notHttp(buf)
            this.pending = Buffer.from(buf)
            return
          }
          this.pending = undefined
          off += end - kept
          this.parseHead(buf.subarray(0, end))
          break
        }
        case 'length': {
          const n = Math.min(this.fixed!.length - this.filled, data.length - off)
          data.copy(this.fixed!, this.filled, off, off + n)
          this.filled += n
          off += n
          if (this.filled === this.fixed!.length) this.state = 'done'
          break
        }
        case 'chunk-size':
        case 'chunk-end':
        case 'trailers': {
          const nl = data.indexOf(LF, off)
          if (nl < 0) {
            this.keep(data, off)
            if (this.pending!.length > MAX_HEAD) throw new Error('HTTP chunk framing line too long')
            return
          }
          const line = this.take(data, off, nl + 1)
          off = nl + 1
          this.chunkLine(trimEol(line))
          break
        }
        case 'chunk-data': {
          const n = Math.min(this.chunkLeft, data.length - off)
          this.addPart(data.subarray(off, off + n))
          this.chunkLeft -= n
          off += n
          if (this.chunkLeft === 0) this.state = 'chunk-end'
          break
        }
        case 'close':
          this.addPart(data.subarray(off))
          return
        case 'done':
          // the request said `Connection: close`: anything after the response is not read (Node's client does the same)
          return
      }
    }
  }

  /** The connection closed: the response, or an error saying what was missing. */
  end(): Http1Response {
    if (this.state === 'close') this.state = 'done'
    if (this.state === 'head') throw new Error(this.pending?.length ? 'the connection closed in the middle of the response header' : 'the connection closed before any response')
    if (this.state !== 'done') {
      const got = this.fixed ? `${this.filled} of ${this.fixed.length} bytes` : `${this.partsLength} bytes`
      throw new Error(`the connection closed in the middle of the response body (${got})`)
    }
    return this.response()
  }

  /** The complete response (only when `done`). */
  response(): Http1Response {
    if (this.state !== 'done') throw new Error('the HTTP response is not complete')
    const body = this.fixed ?? (this.parts.length === 1 ? this.parts[0]! : joinParts(this.parts, this.partsLength))
    return {status: this.status, headers: this.headers, body}
  }

  private keep(data: Buffer, off: number): void {
    const rest = data.subarray(off)
    this.pending = this.pending ? Buffer.concat([this.pending, rest]) : Buffer.from(rest)
  }

  private take(data: Buffer, off: number, end: number): Buffer {
    const part = data.subarray(off, end)
    if (!this.pending) return part
    const whole = Buffer.concat([this.pending, part])
    this.pending = undefined
    return whole
  }

  private parseHead(head: Buffer): void {
    const lines = head.toString('latin1').split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    const m = /^HTTP\/1\.\d (\d{3})(?: .*)?$/.exec(lines[0] ?? '')
    if (!m) notHttp(head)
    const status = Number(m[1])
    const headers: Record<string, string> = {}
    let last = ''
    for (const line of lines.slice(1)) {
      if (line === '') continue
      if (line[0] === ' ' || line[0] === '\t') {
        // obsolete line folding (§5.2): a recipient may replace it with a space
        if (!last) throw new Error('HTTP header continuation without a field')
        headers[last] += ` ${line.trim()}`
        continue
      }
      const colon = line.indexOf(':')
      if (colon <= 0) throw new Error(`malformed HTTP header line: ${JSON.stringify(line.slice(0, 60))}`)
      const name = line.slice(0, colon).toLowerCase()
      const value = line.slice(colon + 1).trim()
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value
      last = name
    }
    if (status >= 100 && status < 200) return // interim (100 Continue, 103 Early Hints): the final response follows; state stays 'head'
    this.status = status
    this.headers = headers
    if (this.method === 'HEAD' || status === 204 || status === 304) {
      this.state = 'done'
      return
    }
    const te = headers['transfer-encoding']
    if (te !== undefined) {
      const codings = te.split(',').map((c) => c.trim().toLowerCase())
      // §6.3: chunked last means chunked framing; any other last coding means read until close
      this.state = codings.at(-1) === 'chunked' ? 'chunk-size' : 'close'
      return
    }
    const cl = headers['content-length']
    if (cl !== undefined) {
      // several equal values (`5, 5`) are one length; differing ones are unrecoverable (§6.3 item 5)
      const values = new Set(cl.split(',').map((v) => v.trim()))
      const v = [...values][0]!
      if (values.size !== 1 || !/^\d{1,15}$/.test(v)) throw new Error(`invalid Content-Length: ${cl}`)
      const n = Number(v)
      this.fixed = allocPages(n)
      this.state = n === 0 ? 'done' : 'length'
      return
    }
    this.state = 'close'
  }

  private chunkLine(line: string): void {
    if (this.state === 'chunk-end') {
      if (line !== '') throw new Error('missing CRLF after HTTP chunk data')
      this.state = 'chunk-size'
      return
    }
    if (this.state === 'trailers') {
      if (line === '') this.state = 'done'
      return
    }
    const size = line.split(';', 1)[0]!.trim()
    if (!/^[0-9a-fA-F]{1,13}$/.test(size)) throw new Error(`invalid HTTP chunk size: ${JSON.stringify(line.slice(0, 40))}`)
    this.chunkLeft = Number.parseInt(size, 16)
    this.state = this.chunkLeft === 0 ? 'trailers' : 'chunk-data'
  }

  private addPart(b: Buffer): void {
    if (b.length === 0) return
    // kept as is: every pushed buffer is the caller's to give away (a WebSocket message is never reused)
    this.parts.push(b)
    this.partsLength += b.length
  }
}

/** A chunked or close-delimited body's parts in one buffer (a large one in pages of its own: allocPages). */
function joinParts(parts: Buffer[], length: number): Buffer {
  const body = allocPages(length)
  let at = 0
  for (const p of parts) at += p.copy(body, at)
  return body
}

/** Index just past the first empty line (`\n\n` or `\r\n\r\n`, or mixed) at or after `from`, or -1. */
function blankLine(b: Buffer, from: number): number {
  let i = b.indexOf(LF, from)
  while (i >= 0) {
    const next = i + 1
    if (b[next] === LF) return next + 1
    if (b[next] === CR && b[next + 1] === LF) return next + 2
    i = b.indexOf(LF, next)
  }
  return -1
}

function trimEol(b: Buffer): string {
  let end = b.length
  if (end > 0 && b[end - 1] === LF) end--
  if (end > 0 && b[end - 1] === CR) end--
  return b.toString('latin1', 0, end)
}
