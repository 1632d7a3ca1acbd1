/**
 * meshctl's own port-forward HTTP client (src/kube/transport.ts portForwardRequest: the response read from the
 * WebSocket messages by src/kube/http1.ts) against the sandbox's pods/portforward: bodies framed by length, by
 * chunks and by the connection's end, large and concurrent answers, a response complete before the pod closes the
 * connection, a refused port, a pod that closes without answering, and the timeout; several requests over one
 * port-forward (portForwardRequests).
 */
import assert from 'node:assert/strict'
import {createRequire, syncBuiltinESMExports} from 'node:module'
import {afterEach, beforeEach, describe, test} from 'node:test'
import {KubeApi} from '../../src/kube/api.js'
import {portForwardRequest, portForwardRequests} from '../../src/kube/transport.js'
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

  test('several requests over ONE port-forward: one upgrade, a connection each, answers in order and settled each on its own', {timeout: 20_000}, async () => {
    const before = sb.requests.filter((r) => r.kind === 'portforward').length
    const answers = portForwardRequests(api, 'bookinfo', 'web-0', 8080, [
      {method: 'GET', path: 'big'},
      {method: 'GET', path: 'chunked'},
      {method: 'POST', path: 'nope?level=debug'},
    ])
    assert.equal(answers.length, 3)
    const [byLength, chunked, missing] = await Promise.all(answers)
    assert.ok(byLength!.body.equals(big))
    assert.ok(chunked!.body.equals(big))
    assert.equal(missing!.status, 404)
    assert.equal(missing!.body.toString(), '404 page not found\n')
    assert.deepEqual(seen.sort(), ['GET /big localhost:8080 close -', 'GET /chunked localhost:8080 close -', 'POST /nope?level=debug localhost:8080 close 0'])
    const upgrades = sb.requests.filter((r) => r.kind === 'portforward').slice(before)
    assert.equal(upgrades.length, 1)
    assert.equal(new URLSearchParams(upgrades[0]!.query).get('ports'), '8080,8080,8080')
    // a connection the pod closes without answering fails alone; the other one is answered
    const spec = sb.getPod('bookinfo', 'web-0')!
    let n = 0
    const answer = (sock: import('node:stream').Duplex): void => {
      sock.once('data', () => sock.end(n++ === 0 ? '' : 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))
    }
    sb.updatePod('bookinfo', 'web-0', {ports: {...spec.ports, 8087: {tcp: answer}}})
    const [silent, ready] = await Promise.allSettled(portForwardRequests(api, 'bookinfo', 'web-0', 8087, [{method: 'GET', path: 'x'}, {method: 'GET', path: 'y'}]))
    assert.equal(silent!.status, 'rejected')
    assert.match(String((silent as PromiseRejectedResult).reason), /closed before Envoy answered/)
    assert.equal(ready!.status, 'fulfilled')
    assert.equal((ready as PromiseFulfilledResult<{body: Buffer}>).value.body.toString(), 'ok')
    // a refused port: every request says so
    const refused = await Promise.allSettled(portForwardRequests(api, 'bookinfo', 'web-0', 9999, [{method: 'GET', path: 'a'}, {method: 'GET', path: 'b'}]))
    for (const r of refused) {
      assert.equal(r.status, 'rejected')
      assert.equal((r.reason as {code?: string}).code, 'E_ADMIN_PORT')
    }
  })

  test('several requests over one port-forward, one of them never answered: it times out, the other is answered', {timeout: 10_000}, async () => {
    const quick = await KubeApi.open({kubeconfig: sb.kubeconfigPath, timeoutMs: 500})
    const spec = sb.getPod('bookinfo', 'web-0')!
    let n = 0
    // the first connection is answered at once, the second never
    sb.updatePod('bookinfo', 'web-0', {ports: {...spec.ports, 8086: {tcp: (sock) => (n++ === 0 ? sock.once('data', () => sock.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')) : undefined)}}})
    const [first, second] = await Promise.allSettled(portForwardRequests(quick, 'bookinfo', 'web-0', 8086, [{method: 'GET', path: 'a'}, {method: 'GET', path: 'b'}]))
    assert.equal(first!.status, 'fulfilled')
    assert.equal((first as PromiseFulfilledResult<{body: Buffer}>).value.body.toString(), 'ok')
    assert.equal(second!.status, 'rejected')
    assert.equal(((second as PromiseRejectedResult).reason as {code?: string}).code, 'E_TIMEOUT')
  })

  test('port-forwards with the same credentials share one TLS secure context (not one each)', {timeout: 15_000}, async () => {
    // tls.connect makes its context through the tls module's createSecureContext: counted there
    const tls = createRequire(import.meta.url)('node:tls') as typeof import('node:tls')
    const original = tls.createSecureContext
    let made = 0
    tls.createSecureContext = (...args) => {
      made++
      return original.apply(tls, args)
    }
    syncBuiltinESMExports()
    try {
      // a new sandbox has a new CA: its first port-forward may make a context
      assert.equal((await portForwardRequest(api, 'bookinfo', 'web-0', 8082, 'GET', 'ready')).body.toString(), 'ready')
      const first = made
      assert.ok(first <= 1, `${first} contexts for one port-forward`)
      const answers = await Promise.all([1, 2, 3, 4].map(() => portForwardRequest(api, 'bookinfo', 'web-0', 8080, 'GET', 'big')))
      for (const r of answers) assert.ok(r.body.equals(big))
      assert.equal(made, first, 'no context made for the next four')
    } finally {
      tls.createSecureContext = original
      syncBuiltinESMExports()
    }
  })

  test('a path that would break the request line is refused before anything is sent', async () => {
    await assert.rejects(portForwardRequest(api, 'bookinfo', 'web-0', 8080, 'GET', 'a b'), /unescaped characters/)
    await assert.rejects(portForwardRequest(api, 'bookinfo', 'web-0', 8080, 'GET', 'a\r\nX: y'), /unescaped characters/)
    assert.deepEqual(seen, [])
  })
})
