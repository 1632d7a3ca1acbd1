/**
 * The SPDY/3.1 layer without kubectl: the header dictionary, header blocks Go's zlib reader can consume frame by
 * frame (each ends with a sync-flush marker), and a hand-written client doing what spdystream does (SYN_STREAM with
 * compressed headers, DATA, FIN, PING) over a real `Upgrade: SPDY/3.1` port-forward and exec.
 */
import assert from 'node:assert/strict'
import tls from 'node:tls'
import zlib from 'node:zlib'
import {test} from 'node:test'
import {startSandbox} from '../../src/sandbox/cluster.js'
import {adler32, decodeHeaderBlock, encodeHeaderBlock, SPDY_DICTIONARY, SpdySession} from '../../src/sandbox/spdy.js'
import {tinySpec} from '../fixtures/sandbox/tiny.js'

test('SPDY/3 dictionary: 1423 bytes, the adler32 Go and Node agree on', {timeout: 5000}, () => {
  assert.equal(SPDY_DICTIONARY.length, 1423)
  assert.equal(adler32(SPDY_DICTIONARY), 0xe3c6a7c2)
  const viaNode = zlib.deflateSync(Buffer.from('x'), {dictionary: SPDY_DICTIONARY})
  assert.equal(viaNode.readUInt32BE(2), 0xe3c6a7c2, 'zlib header DICTID')
})

test('outgoing header blocks: one zlib stream, each block ends with 00 00 00 ff ff and inflates on its own', {timeout: 5000}, async () => {
  const frames: Buffer[] = []
  const s = new SpdySession({write: (b) => frames.push(b), close() {}})
  s.sendSynReply(1, {})
  s.sendSynReply(3, {streamtype: 'data', port: '15000'})
  const blocks = frames.map((f) => f.subarray(12))
  for (const b of blocks) assert.deepEqual([...b.subarray(-5)], [0, 0, 0, 0xff, 0xff])
  const inflater = zlib.createInflate({dictionary: SPDY_DICTIONARY})
  const out: Buffer[] = []
  inflater.on('data', (d) => out.push(d))
  const decoded = []
  for (const b of blocks) {
    inflater.write(b)
    await new Promise<void>((r) => inflater.flush(zlib.constants.Z_SYNC_FLUSH, () => r()))
    await new Promise((r) => setImmediate(r))
    decoded.push(decodeHeaderBlock(Buffer.concat(out.splice(0))))
  }
  assert.deepEqual(decoded, [{}, {streamtype: 'data', port: '15000'}])
})

/** A tiny spdystream-like client: persistent deflate context for headers, frame parser for replies. */
class MiniSpdyClient {
  private readonly deflate = zlib.createDeflate({dictionary: SPDY_DICTIONARY})
  private readonly inflate = zlib.createInflate({dictionary: SPDY_DICTIONARY})
  private buf = Buffer.alloc(0)
  readonly data = new Map<number, Buffer[]>()
  readonly fin = new Set<number>()
  readonly replies = new Map<number, Record<string, string>>()
  pings: number[] = []
  private waiters: Array<() => void> = []
  constructor(private readonly socket: tls.TLSSocket) {
    socket.on('data', (d: Buffer) => this.onData(d))
  }
  private async headerBlock(headers: Record<string, string>): Promise<Buffer> {
    const chunks: Buffer[] = []
    const onData = (c: Buffer) => chunks.push(c)
    this.deflate.on('data', onData)
    this.deflate.write(encodeHeaderBlock(headers))
    await new Promise<void>((r) => this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => r()))
    await new Promise((r) => setImmediate(r))
    this.deflate.off('data', onData)
    return Buffer.concat(chunks)
  }
  async synStream(id: number, headers: Record<string, string>, fin = false): Promise<void> {
    const block = await this.headerBlock(headers)
    const head = Buffer.alloc(18)
    head.writeUInt16BE(0x8003, 0)
    head.writeUInt16BE(1, 2)
    head.writeUInt32BE(10 + block.length, 4)
    head[4] = fin ? 1 : 0
    head.writeUInt32BE(id, 8)
    head.writeUInt32BE(0, 12)
    this.socket.write(Buffer.concat([head, block]))
  }
  sendData(id: number, data: Buffer, fin = false): void {
    const h = Buffer.alloc(8)
    h.writeUInt32BE(id, 0)
    h.writeUInt32BE(data.length, 4)
    h[4] = fin ? 1 : 0
    this.socket.write(Buffer.concat([h, data]))
  }
  ping(id: number): void {
    const h = Buffer.alloc(12)
    h.writeUInt16BE(0x8003, 0)
    h.writeUInt16BE(6, 2)
    h.writeUInt32BE(4, 4)
    h.writeUInt32BE(id, 8)
    this.socket.write(h)
  }
  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d])
    while (this.buf.length >= 8) {
      const len = this.buf.readUIntBE(5, 3)
      if (this.buf.length < 8 + len) break
      const f = this.buf.subarray(0, 8 + len)
      this.buf = this.buf.subarray(8 + len)
      if (f[0]! & 0x80) {
        const type = f.readUInt16BE(2)
        if (type === 2) {
          const id = f.readUInt32BE(8)
          // like Go: one inflate stream, read exactly this frame's bytes
          this.inflate.write(f.subarray(12))
          this.inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            this.replies.set(id, decodeHeaderBlock(this.inflate.read() ?? Buffer.alloc(0)))
            this.wake()
          })
        } else if (type === 6) this.pings.push(f.readUInt32BE(8))
      } else {
        const id = f.readUInt32BE(0)
        const list = this.data.get(id) ?? []
        list.push(f.subarray(8))
        this.data.set(id, list)
        if (f[4]! & 1) this.fin.add(id)
      }
    }
    this.wake()
  }
  private wake(): void {
    for (const w of this.waiters.splice(0)) w()
  }
  async until(cond: () => boolean, ms = 3000): Promise<void> {
    const end = Date.now() + ms
    while (!cond()) {
      if (Date.now() > end) throw new Error('timed out waiting for SPDY frames')
      await new Promise<void>((r) => {
        this.waiters.push(r)
        setTimeout(r, 50)
      })
    }
  }
  text(id: number): string {
    return Buffer.concat(this.data.get(id) ?? []).toString()
  }
}

async function upgrade(port: number, path: string, token: string, ca: string, protocols: string): Promise<{socket: tls.TLSSocket; head: string}> {
  const socket = tls.connect({host: '127.0.0.1', port, ca})
  await new Promise((r, j) => {
    socket.once('secureConnect', r)
    socket.once('error', j)
  })
  socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocols}\r\nContent-Length: 0\r\n\r\n`)
  let head = ''
  await new Promise<void>((resolve) => {
    const onData = (d: Buffer): void => {
      head += d.toString('latin1')
      const end = head.indexOf('\r\n\r\n')
      if (end >= 0) {
        socket.off('data', onData)
        const rest = Buffer.from(head.slice(end + 4), 'latin1')
        head = head.slice(0, end)
        if (rest.length) socket.unshift(rest)
        resolve()
      }
    }
    socket.on('data', onData)
  })
  return {socket, head}
}

test('plain SPDY port-forward: error+data stream pair, HTTP through it, FIN both ways, PING echoed', {timeout: 15_000}, async () => {
  const sb = await startSandbox(tinySpec())
  try {
    const {socket, head} = await upgrade(sb.port, '/api/v1/namespaces/bookinfo/pods/productpage-v1-7d4f8b-abcde/portforward', sb.token, sb.caPem, 'portforward.k8s.io')
    assert.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/)
    assert.match(head, /\r\nX-Stream-Protocol-Version: portforward.k8s.io/)
    const c = new MiniSpdyClient(socket)
    await c.synStream(1, {streamtype: 'error', port: '15000', requestid: '0'})
    c.sendData(1, Buffer.alloc(0), true)
    await c.synStream(3, {streamtype: 'data', port: '15000', requestid: '0'})
    c.sendData(3, Buffer.from('GET /ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'))
    c.ping(7)
    await c.until(() => c.fin.has(3) && c.fin.has(1) && c.pings.includes(7) && c.replies.has(1) && c.replies.has(3))
    assert.deepEqual(c.replies.get(1), {})
    assert.deepEqual(c.replies.get(3), {})
    assert.match(c.text(3), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nLIVE\n$/)
    assert.equal(c.text(1), '')
    // a second connection on the same session: the header zlib context continues
    await c.synStream(5, {streamtype: 'error', port: '15001', requestid: '1'})
    await c.synStream(7, {streamtype: 'data', port: '15001', requestid: '1'})
    await c.until(() => c.fin.has(5))
    assert.match(c.text(5), /^error forwarding port 15001 to pod [0-9a-f]{64}, uid : .*connection refused $/)
    socket.destroy()
  } finally {
    await sb.close()
  }
})

test('plain SPDY exec (v4): stdout/stderr streams, Status on the error stream, negotiation failure is 403', {timeout: 15_000}, async () => {
  const sb = await startSandbox(tinySpec())
  try {
    const path = '/api/v1/namespaces/bookinfo/pods/productpage-v1-7d4f8b-abcde/exec?command=sh&command=-c&command=echo%20hi%3B%20exit%202&container=istio-proxy&stdout=true&stderr=true'
    const {socket, head} = await upgrade(sb.port, path, sb.token, sb.caPem, 'v4.channel.k8s.io, v3.channel.k8s.io')
    assert.match(head, /\r\nX-Stream-Protocol-Version: v4.channel.k8s.io/)
    const c = new MiniSpdyClient(socket)
    await c.synStream(1, {streamtype: 'error'})
    c.sendData(1, Buffer.alloc(0), true)
    await c.synStream(3, {streamtype: 'stdout'})
    c.sendData(3, Buffer.alloc(0), true)
    await c.synStream(5, {streamtype: 'stderr'})
    c.sendData(5, Buffer.alloc(0), true)
    await c.until(() => c.fin.has(1) && c.fin.has(3) && c.fin.has(5))
    assert.equal(c.text(3), 'hi\n')
    assert.equal(JSON.parse(c.text(1)).details.causes[0].message, '2')
    socket.destroy()
    const bad = await upgrade(sb.port, path, sb.token, sb.caPem, 'v9.channel.k8s.io')
    assert.match(bad.head, /^HTTP\/1\.1 403 Forbidden\r\n/)
    bad.socket.destroy()
  } finally {
    await sb.close()
  }
})
