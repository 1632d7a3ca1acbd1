/**
 * The HTTP/1.1 response reader behind port-forward requests (src/kube/http1.ts): framing by RFC 9112 §6.3, and the
 * same response whatever the split of the bytes into WebSocket messages. Compared with llhttp (Node's own parser, a
 * real HTTP server answering over a real socket) on the same bytes.
 */
import assert from 'node:assert/strict'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import net from 'node:net'
import {test} from 'node:test'
import fc from 'fast-check'
import {Http1ResponseReader} from '../../src/kube/http1.js'

function read(method: string, parts: Buffer[], close = true) {
  const r = new Http1ResponseReader(method)
  for (const p of parts) r.push(p)
  return close ? r.end() : r.response()
}

/** Every split of `bytes` into two pushes, and one byte at a time. */
function splits(bytes: Buffer): Buffer[][] {
  const out: Buffer[][] = [[bytes], [...bytes].map((b) => Buffer.from([b]))]
  for (let i = 1; i < bytes.length; i++) out.push([bytes.subarray(0, i), bytes.subarray(i)])
  return out
}

const CL = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nX-A: 1\r\nx-a: 2\r\n\r\n{"a":[1,2]}')
const CHUNKED = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=val\r\nhello\r\n1A\r\n abcdefghijklmnopqrstuvwxy\r\n0\r\nTrailer-A: x\r\n\r\n')

test('Content-Length: status, headers (lower case, repeats joined), body, in every split', () => {
  for (const parts of splits(CL)) {
    const r = read('GET', parts)
    assert.equal(r.status, 200)
    assert.equal(r.headers['content-type'], 'application/json')
    assert.equal(r.headers['x-a'], '1, 2')
    assert.equal(r.body.toString(), '{"a":[1,2]}')
  }
})

test('a body with a length is complete at its last byte, before the connection closes', () => {
  const r = new Http1ResponseReader('GET')
  r.push(CL.subarray(0, CL.length - 1))
  assert.equal(r.done, false)
  assert.throws(() => r.response(), /not complete/)
  r.push(CL.subarray(CL.length - 1))
  assert.equal(r.done, true)
  assert.equal(r.response().body.toString(), '{"a":[1,2]}')
  r.push(Buffer.from('ignored'))
  assert.equal(r.end().body.toString(), '{"a":[1,2]}')
})

test('chunked: extensions, hex sizes, trailers, in every split', () => {
  for (const parts of splits(CHUNKED)) {
    const r = read('GET', parts, false)
    assert.equal(r.status, 200)
    assert.equal(r.body.toString(), 'hello abcdefghijklmnopqrstuvwxy')
  }
})

test('push says whether it kept a view of the bytes: never for a body with a length, for the parts of others', () => {
  // what the transport relies on to free a WebSocket message once pushed: a wrong `false` would free bytes the body
  // still reads; each message is scrambled after its push, as a freed and reused buffer would be
  const pushAll = (bytes: Buffer, cut: number): {kept: boolean[]; body: string} => {
    const r = new Http1ResponseReader('GET')
    const kept: boolean[] = []
    for (let off = 0; off < bytes.length; off += cut) {
      const part = Buffer.from(bytes.subarray(off, off + cut))
      const k = r.push(part)
      kept.push(k)
      if (!k) part.fill(0x3f)
    }
    return {kept, body: r.end().body.toString()}
  }
  for (const cut of [1, 3, 7, 1000]) {
    const byLength = pushAll(CL, cut)
    assert.equal(byLength.body, '{"a":[1,2]}')
    assert.ok(byLength.kept.every((k) => !k), `Content-Length, pushes of ${cut}`)
    const chunked = pushAll(CHUNKED, cut)
    assert.equal(chunked.body, 'hello abcdefghijklmnopqrstuvwxy')
    assert.ok(chunked.kept.some((k) => k), `chunked, pushes of ${cut}`)
    const untilClose = pushAll(Buffer.from('HTTP/1.1 200 OK\r\n\r\nuntil the end'), cut)
    assert.equal(untilClose.body, 'until the end')
  }
})

test('until close: no length and no chunked; a last coding other than chunked', () => {
  for (const parts of splits(Buffer.from('HTTP/1.0 200 OK\r\nServer: x\r\n\r\nsome bytes'))) assert.equal(read('GET', parts).body.toString(), 'some bytes')
  assert.equal(read('GET', [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello')]).body.toString(), '5\r\nhello')
})

test('no body: HEAD, 204, 304, Content-Length 0; 1xx interim responses are skipped', () => {
  assert.equal(read('HEAD', [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n')], false).body.length, 0)
  assert.equal(read('GET', [Buffer.from('HTTP/1.1 204 No Content\r\n\r\n')], false).status, 204)
  assert.equal(read('GET', [Buffer.from('HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n')], false).body.length, 0)
  assert.equal(read('GET', [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')], false).body.length, 0)
  const interim = Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope')
  for (const parts of splits(interim)) {
    const r = read('GET', parts, false)
    assert.equal(r.status, 404)
    assert.equal(r.body.toString(), 'nope')
    assert.equal(r.headers.link, undefined)
  }
})

test('bare LF line ends and obsolete line folding are accepted', () => {
  const r = read('GET', [Buffer.from('HTTP/1.1 200 OK\nContent-Length: 2\nX-Long: a\n  b\n\nok')], false)
  assert.equal(r.body.toString(), 'ok')
  assert.equal(r.headers['x-long'], 'a b')
  assert.equal(read('GET', [Buffer.from('HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nok\n0\n\n')], false).body.toString(), 'ok')
})

test('malformed or cut responses are errors', () => {
  assert.throws(() => read('GET', [Buffer.from('SSH-2.0-OpenSSH\r\n\r\n')]), /not an HTTP\/1\.x response/)
  // known at the first bytes, not only when the connection ends
  assert.throws(() => new Http1ResponseReader('GET').push(Buffer.from('SSH-2.0-Open')), /not an HTTP\/1\.x response: "SSH-2\.0-Open"/)
  const partial = new Http1ResponseReader('GET')
  partial.push(Buffer.from('HTTP/'))
  partial.push(Buffer.from('1.1 200'))
  assert.equal(partial.headComplete, false)
  assert.throws(() => read('GET', [Buffer.from('HTTP/1.1 200 OK\r\nno colon\r\n\r\n')]), /malformed HTTP header line/)
  assert.throws(() => read('GET', [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n')]), /invalid Content-Length/)
  assert.throws(() => read('GET', [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n')]), /invalid Content-Length/)
  assert.equal(read('GET', [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok')], false).body.toString(), 'ok')
  assert.throws(() => read('GET', [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')]), /invalid HTTP chunk size/)
  assert.throws(() => read('GET', [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n')]), /missing CRLF after HTTP chunk data/)
  assert.throws(() => read('GET', [Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort')]), /closed in the middle of the response body \(5 of 10 bytes\)/)
  assert.throws(() => read('GET', [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel')]), /closed in the middle of the response body \(3 bytes\)/)
  assert.throws(() => read('GET', [Buffer.from('HTTP/1.1 200 OK\r\nContent-')]), /in the middle of the response header/)
  assert.throws(() => read('GET', []), /closed before any response/)
  assert.throws(() => read('GET', [Buffer.alloc(300 * 1024, 0x61)]), /header too long/)
})

/** What Node's own client (llhttp) makes of `raw` sent by a server over a real socket. */
async function viaNode(raw: Buffer, method: string): Promise<{status: number; body: Buffer} | {error: string}> {
  const server = net.createServer((s) => {
    s.once('data', () => s.end(raw))
    s.on('error', () => {})
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  try {
    return await new Promise((resolve) => {
      const req = http.request({host: '127.0.0.1', port: (server.address() as AddressInfo).port, method, path: '/', headers: {Connection: 'close'}}, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({status: res.statusCode ?? 0, body: Buffer.concat(chunks)}))
        res.on('error', (e) => resolve({error: e.message}))
      })
      req.on('error', (e) => resolve({error: e.message}))
      req.end()
    })
  } finally {
    server.close()
  }
}

test('the same status and body as Node’s HTTP client, for random bodies, framings and splits', async () => {
  const framing = fc.constantFrom('length', 'chunked', 'close')
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({maxLength: 3000}), framing, fc.array(fc.integer({min: 1, max: 700}), {minLength: 1, maxLength: 8}), fc.array(fc.integer({min: 1, max: 400}), {maxLength: 10}), async (bodyBytes, how, chunkSizes, cuts) => {
      const body = Buffer.from(bodyBytes)
      let raw: Buffer
      if (how === 'length') raw = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body])
      else if (how === 'close') raw = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), body])
      else {
        const parts: Buffer[] = [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')]
        for (let off = 0, i = 0; off < body.length; i++) {
          const n = Math.min(chunkSizes[i % chunkSizes.length]!, body.length - off)
          parts.push(Buffer.from(`${n.toString(16)}\r\n`), body.subarray(off, off + n), Buffer.from('\r\n'))
          off += n
        }
        parts.push(Buffer.from('0\r\n\r\n'))
        raw = Buffer.concat(parts)
      }
      const pieces: Buffer[] = []
      let off = 0
      for (const c of cuts) {
        if (off >= raw.length) break
        pieces.push(raw.subarray(off, off + c))
        off += c
      }
      if (off < raw.length) pieces.push(raw.subarray(off))
      const ours = read('GET', pieces)
      const node = await viaNode(raw, 'GET')
      assert.ok('status' in node, JSON.stringify(node))
      assert.equal(ours.status, node.status)
      assert.ok(ours.body.equals(node.body))
    }),
    {numRuns: 60},
  )
})
