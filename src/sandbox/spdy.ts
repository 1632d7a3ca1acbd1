/**
 * A minimal SPDY/3.1 *server* session, just enough for what kubectl (client-go + moby/spdystream) speaks for
 * `pods/portforward` and `pods/exec`: the client opens streams (SYN_STREAM with headers such as `streamtype`, `port`,
 * `requestid`), the server answers SYN_REPLY, both sides exchange DATA frames and half-close with FLAG_FIN.
 *
 * Carried either over the raw upgraded socket (`Upgrade: SPDY/3.1`) or tunnelled inside websocket binary messages
 * (`Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io`, kubectl >= 1.31 port-forward). The transport only needs
 * `write(bytes)` and `close()`; bytes come in through `receive()`.
 *
 * Frame layout (draft-mbelshe-httpbis-spdy-00, version 3):
 *   control: |1| version(15)=3 | type(16) | flags(8) | length(24) | payload
 *   data:    |0| stream-id(31)            | flags(8) | length(24) | payload
 *
 * Subtle points, all about interoperating with spdystream:
 * - Header blocks are zlib streams that span the whole session (one per direction), primed with the fixed SPDY/3
 *   dictionary. Incoming blocks are inflated with one persistent `zlib.Inflate` (sync-flushed per block). Outgoing
 *   blocks are written as *stored* (uncompressed) deflate blocks behind a zlib header whose DICTID is the adler32 of
 *   the dictionary, each block followed by an empty stored block (the sync-flush marker): a valid zlib stream
 *   needing no compressor state, which Go's zlib.NewReaderDict accepts.
 * - spdystream never sends WINDOW_UPDATE, so no send-side flow control is applied (SPDY/3.1 would stall at 64 KiB).
 * - PING must be echoed (kubectl pings every few seconds and drops the connection otherwise).
 */
import {EventEmitter} from 'node:events'
import {Duplex} from 'node:stream'
import zlib from 'node:zlib'

const NV_WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
  'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
  'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie',
  'keep-alive', 'origin',
]
const NV_TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.'

/** The SPDY/3 header compression dictionary: length-prefixed words, then a raw tail (1423 bytes). */
export const SPDY_DICTIONARY: Buffer = (() => {
  const parts: Buffer[] = []
  for (const w of NV_WORDS) {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(w.length)
    parts.push(len, Buffer.from(w, 'latin1'))
  }
  parts.push(Buffer.from(NV_TAIL, 'latin1'))
  return Buffer.concat(parts)
})()

export function adler32(buf: Buffer): number {
  let a = 1
  let b = 0
  for (let i = 0; i < buf.length; i++) {
    a = (a + buf[i]!) % 65521
    b = (b + a) % 65521
  }
  return ((b << 16) | a) >>> 0
}

const TYPE = {SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9} as const
const FLAG_FIN = 0x01
const MAX_DATA = 32 * 1024

export type SpdyHeaders = Record<string, string>

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = []
  const count = Buffer.alloc(4)
  count.writeUInt32BE(Object.keys(headers).length)
  parts.push(count)
  for (const [k, v] of Object.entries(headers)) {
    for (const s of [k.toLowerCase(), v]) {
      const b = Buffer.from(s)
      const len = Buffer.alloc(4)
      len.writeUInt32BE(b.length)
      parts.push(len, b)
    }
  }
  return Buffer.concat(parts)
}

/** Multiple values of one header are NUL-separated; they are joined with ", " here. */
export function decodeHeaderBlock(buf: Buffer): SpdyHeaders {
  const out: SpdyHeaders = {}
  if (buf.length < 4) return out
  const n = buf.readUInt32BE(0)
  let off = 4
  const take = (): string => {
    const len = buf.readUInt32BE(off)
    off += 4
    const s = buf.subarray(off, off + len).toString()
    off += len
    return s
  }
  for (let i = 0; i < n; i++) {
    const k = take()
    out[k.toLowerCase()] = take().split('\0').join(', ')
  }
  return out
}

/** Outgoing header compression: one zlib stream per session, made of stored blocks (see header comment). */
class StoredZlibWriter {
  private started = false
  encode(data: Buffer): Buffer {
    const parts: Buffer[] = []
    if (!this.started) {
      this.started = true
      const head = Buffer.alloc(6)
      head[0] = 0x78 // deflate, 32 KiB window
      head[1] = 0x20 // FDICT set, FLEVEL 0; (0x7820 % 31) === 0 so FCHECK is 0
      head.writeUInt32BE(adler32(SPDY_DICTIONARY), 2)
      parts.push(head)
    }
    for (let off = 0; off < data.length; off += 0xffff) {
      const chunk = data.subarray(off, off + 0xffff)
      const h = Buffer.alloc(5)
      h[0] = 0x00 // BFINAL=0, BTYPE=00 (stored), padding to the byte boundary
      h.writeUInt16LE(chunk.length, 1)
      h.writeUInt16LE(~chunk.length & 0xffff, 3)
      parts.push(h, chunk)
    }
    // The sync-flush marker (an empty stored block), as Go's compressor writes after each header block. Go's flate
    // reader only hands out a finished block's bytes when it meets the next block header; without this marker it
    // reads past the frame, hits EOF and keeps that error for the rest of the session.
    parts.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]))
    return Buffer.concat(parts)
  }
}

/** Incoming header decompression: one persistent inflater, sync-flushed after each block. */
class HeaderInflater {
  private readonly inflater = zlib.createInflate({dictionary: SPDY_DICTIONARY})
  private chunks: Buffer[] = []
  private failure: Error | undefined
  constructor() {
    this.inflater.on('data', (c: Buffer) => this.chunks.push(c))
    this.inflater.on('error', (e) => {
      this.failure = e
    })
  }
  inflate(block: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure)
      this.inflater.write(block)
      this.inflater.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        // 'data' events of this flush may still be queued behind the callback
        setImmediate(() => {
          if (this.failure) return reject(this.failure)
          const out = Buffer.concat(this.chunks)
          this.chunks = []
          resolve(out)
        })
      })
    })
  }
  close(): void {
    this.inflater.destroy()
  }
}

export interface SpdyTransport {
  write(data: Buffer): void
  close(): void
}

/**
 * One client-initiated stream. Readable side: DATA from the client (ends at the client's FIN). Writable side: DATA to
 * the client; `end()` sends FIN. SYN_REPLY is sent by `reply()` (done automatically on the first write).
 */
export class SpdyStream extends Duplex {
  private replied = false
  private finSent = false
  remoteFin = false

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: SpdyHeaders,
  ) {
    super({allowHalfOpen: true})
  }

  reply(headers: SpdyHeaders = {}): void {
    if (this.replied) return
    this.replied = true
    this.session.sendSynReply(this.id, headers)
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.reply()
    this.session.sendData(this.id, chunk, false)
    cb()
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.reply()
    this.finSent = true
    this.session.sendData(this.id, Buffer.alloc(0), true)
    cb()
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.finSent && !this.session.closed) {
      this.reply()
      this.finSent = true
      this.session.sendData(this.id, Buffer.alloc(0), true)
    }
    this.session.forget(this.id)
    cb(err)
  }
}

export class SpdySession extends EventEmitter<{stream: [SpdyStream]; close: []; error: [Error]}> {
  private buffer: Buffer = Buffer.alloc(0)
  private readonly writer = new StoredZlibWriter()
  private readonly inflater = new HeaderInflater()
  private readonly streams = new Map<number, SpdyStream>()
  private chain: Promise<void> = Promise.resolve()
  private lastStreamId = 0
  closed = false

  constructor(private readonly transport: SpdyTransport) {
    super()
  }

  /** Feeds bytes from the transport. */
  receive(chunk: Buffer): void {
    if (this.closed) return
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk
    while (this.buffer.length >= 8) {
      const length = this.buffer.readUIntBE(5, 3)
      if (this.buffer.length < 8 + length) break
      const frame = this.buffer.subarray(0, 8 + length)
      this.buffer = this.buffer.subarray(8 + length)
      // frames are handled strictly in order; header blocks need an async inflate
      this.chain = this.chain.then(() => this.handleFrame(frame)).catch((err: Error) => this.fail(err))
    }
  }

  private async handleFrame(frame: Buffer): Promise<void> {
    if (this.closed) return
    const flags = frame[4]!
    const payload = frame.subarray(8)
    if ((frame[0]! & 0x80) === 0) {
      const id = frame.readUInt32BE(0) & 0x7fffffff
      const s = this.streams.get(id)
      if (!s) return
      if (payload.length) s.push(Buffer.from(payload))
      if (flags & FLAG_FIN) {
        s.remoteFin = true
        s.push(null)
      }
      return
    }
    const type = frame.readUInt16BE(2)
    switch (type) {
      case TYPE.SYN_STREAM: {
        const id = payload.readUInt32BE(0) & 0x7fffffff
        const headers = decodeHeaderBlock(await this.inflater.inflate(payload.subarray(10)))
        this.lastStreamId = Math.max(this.lastStreamId, id)
        const s = new SpdyStream(this, id, headers)
        this.streams.set(id, s)
        if (flags & FLAG_FIN) {
          s.remoteFin = true
          s.push(null)
        }
        this.emit('stream', s)
        return
      }
      case TYPE.SYN_REPLY:
      case TYPE.HEADERS:
        // keep the shared zlib context in sync even though these carry nothing we need
        await this.inflater.inflate(payload.subarray(4))
        return
      case TYPE.RST_STREAM: {
        const id = payload.readUInt32BE(0) & 0x7fffffff
        const s = this.streams.get(id)
        if (s) {
          this.streams.delete(id)
          s.destroy()
        }
        return
      }
      case TYPE.PING:
        this.writeControl(TYPE.PING, 0, payload)
        return
      case TYPE.GOAWAY:
        // the client is going away; it closes the transport itself
        return
      default:
        // SETTINGS, WINDOW_UPDATE: nothing to do (no flow control, see header comment)
        return
    }
  }

  private writeControl(type: number, flags: number, payload: Buffer): void {
    if (this.closed) return
    const h = Buffer.alloc(8)
    h.writeUInt16BE(0x8003, 0)
    h.writeUInt16BE(type, 2)
    h.writeUInt32BE(payload.length, 4)
    h[4] = flags
    this.transport.write(Buffer.concat([h, payload]))
  }

  sendSynReply(id: number, headers: SpdyHeaders): void {
    const idBuf = Buffer.alloc(4)
    idBuf.writeUInt32BE(id)
    this.writeControl(TYPE.SYN_REPLY, 0, Buffer.concat([idBuf, this.writer.encode(encodeHeaderBlock(headers))]))
  }

  sendData(id: number, data: Buffer, fin: boolean): void {
    if (this.closed) return
    let off = 0
    do {
      const chunk = data.subarray(off, off + MAX_DATA)
      off += chunk.length
      const last = off >= data.length
      const h = Buffer.alloc(8)
      h.writeUInt32BE(id & 0x7fffffff, 0)
      h.writeUInt32BE(chunk.length, 4)
      h[4] = fin && last ? FLAG_FIN : 0
      this.transport.write(Buffer.concat([h, chunk]))
    } while (off < data.length)
  }

  forget(id: number): void {
    this.streams.delete(id)
  }

  private fail(err: Error): void {
    this.emit('error', err)
    this.close()
  }

  /** Sends GOAWAY, ends every stream and closes the transport. */
  close(): void {
    if (this.closed) return
    const body = Buffer.alloc(8)
    body.writeUInt32BE(this.lastStreamId, 0)
    body.writeUInt32BE(0, 4)
    this.writeControl(TYPE.GOAWAY, 0, body)
    this.closed = true
    for (const s of this.streams.values()) s.destroy()
    this.streams.clear()
    this.inflater.close()
    this.transport.close()
    this.emit('close')
  }

  /** The transport went away underneath us. */
  transportClosed(): void {
    if (this.closed) return
    this.closed = true
    for (const s of this.streams.values()) s.destroy()
    this.streams.clear()
    this.inflater.close()
    this.emit('close')
  }
}
