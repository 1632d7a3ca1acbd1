/**
 * meshctl's own port-forward HTTP client (src/kube/transport.ts portForwardRequest: the response read from the
 * WebSocket messages by src/kube/http1.ts) against the sandbox's pods/portforward: bodies framed by length, by
 * chunks and by the connection's end, large and concurrent answers, a response complete before the pod closes the
 * connection, a refused port, a pod that closes without answering, and the timeout.
 */
import assert from 'node:assert/strict'
import {afterEach, beforeEach, describe, test} from 'node:test'
import {KubeApi} from '../../src/kube/api.js'
import {portForwardRequest} from '../../src/kube/transport.js'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {tinySpec} from '../fixtures/sandbox/tiny.js'

describe('portForwardRequest through the sandbox', () => {
  let sb: Sandbox
  let api: KubeApi
  const big = Buffer.alloc(5 * 1024 * 1024 + 7)
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 10)) & 0xff
  let seen: string[] = []
  beforeEach(async () => {
    seen = []
    const spec = tinySpec()
    spec.pods!.push({
      name: 'web-0',
      namespace: 'bookinfo',
      containers: [{name: 'web'}],
      ports: {
        // Content-Length (Node sets it for a body given whole to end())
        8080: (req, res) => {
          seen.push(`${req.method} ${req.url} ${req.headers.host} ${req.headers.connection} ${req.headers['content-length'] ?? '-'}`)
          if (req.url === '/big') res.end(big)
          else if (req.url === '/chunked') {
            // chunked: written in pieces without a length
            for (let off = 0; off < big.length; off += 700_000) res.write(big.subarray(off, off + 700_000))
            res.end()
          } else {
            res.statusCode = 404
            res.end('404 page not found\n')
          }
        },
        // no length, no chunks: HTTP/1.0-style, the body ends with the connection
        8081: {tcp: (sock) => sock.once('data', () => sock.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n'), big.subarray(0, 100_000)])))},
        // a complete response, then the connection left open: the answer must not wait for the close
        8082: {tcp: (sock) => sock.once('data', () => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nready'))},
        // closes without a word
        8083: {tcp: (sock) => sock.once('data', () => sock.end())},
        // never answers
        8084: {tcp: () => {}},
        // not HTTP
        8085: {tcp: (sock) => sock.once('data', () => sock.end('SSH-2.0-OpenSSH_9.6\r\n'))},
      },
    })
    sb = await startSandbox(spec)
    api = await KubeApi.open({kubeconfig: sb.kubeconfigPath, timeoutMs: 5000})
  })
  afterEach(() => sb.close())

  test('bodies by length, chunked and until close, each intact; the request line and headers', {timeout: 20_000}, async () => {
    const [byLength, chunked, untilClose, missing] = await Promise.all([
      portForwardRequest(api, 'bookinfo', 'web-0', 8080, 'GET', 'big'),
      portForwardRequest(api, 'bookinfo', 'web-0', 8080, 'GET', 'chunked'),
      portForwardRequest(api, 'bookinfo', 'web-0', 8081, 'GET', 'x'),
      portForwardRequest(api, 'bookinfo', 'web-0', 8080, 'POST', 'nope?level=debug'),
    ])
    assert.equal(byLength.status, 200)
    assert.ok(byLength.body.equals(big))
    assert.equal(chunked.status, 200)
    assert.ok(chunked.body.equals(big))
    assert.equal(untilClose.status, 200)
    assert.ok(untilClose.body.equals(big.subarray(0, 100_000)))
    assert.equal(missing.status, 404)
    assert.equal(missing.body.toString(), '404 page not found\n')
    assert.deepEqual(seen.sort(), ['GET /big localhost:8080 close -', 'GET /chunked localhost:8080 close -', 'POST /nope?level=debug localhost:8080 close 0'])
  })

  test('a response with a length is complete at its last byte, while the pod keeps the connection open', {timeout: 10_000}, async () => {
    const started = Date.now()
    const r = await portForwardRequest(api, 'bookinfo', 'web-0', 8082, 'GET', 'ready')
    assert.equal(r.body.toString(), 'ready')
    assert.ok(Date.now() - started < 4000, 'answered before the 5 s timeout')
  })

  test('refused port: the kubelet text becomes E_ADMIN_PORT; a silent close and a non-HTTP answer are E_ADMIN; silence times out', {timeout: 15_000}, async () => {
    await assert.rejects(portForwardRequest(api, 'bookinfo', 'web-0', 9999, 'GET', 'x'), (e: Error & {code?: string}) => {
      assert.equal(e.code, 'E_ADMIN_PORT')
      assert.match(e.message, /^nothing listens on port 9999 in pod web-0\.bookinfo \(connection refused\)$/)
      return true
    })
    await assert.rejects(portForwardRequest(api, 'bookinfo', 'web-0', 8083, 'GET', 'x'), (e: Error & {code?: string}) => {
      assert.equal(e.code, 'E_ADMIN')
      assert.match(e.message, /^the connection to web-0\.bookinfo:8083 closed before Envoy answered \(the connection closed before any response\)$/)
      return true
    })
    await assert.rejects(portForwardRequest(api, 'bookinfo', 'web-0', 8085, 'GET', 'x'), /closed before Envoy answered \(not an HTTP\/1\.x response: "SSH-2\.0-OpenSSH_9\.6"\)/)
    const quick = await KubeApi.open({kubeconfig: sb.kubeconfigPath, timeoutMs: 300})
    await assert.rejects(portForwardRequest(quick, 'bookinfo', 'web-0', 8084, 'GET', 'stats'), (e: Error & {code?: string}) => {
      assert.equal(e.code, 'E_TIMEOUT')
      assert.equal(e.message, 'timed out after 300ms waiting for GET /stats on web-0.bookinfo:8084')
      return true
    })
  })

  test('a path that would break the request line is refused before anything is sent', async () => {
    await assert.rejects(portForwardRequest(api, 'bookinfo', 'web-0', 8080, 'GET', 'a b'), /unescaped characters/)
    await assert.rejects(portForwardRequest(api, 'bookinfo', 'web-0', 8080, 'GET', 'a\r\nX: y'), /unescaped characters/)
    assert.deepEqual(seen, [])
  })
})
