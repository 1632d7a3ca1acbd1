/** trace's request from a URL and flags: what the client sends, and one-line usage errors for what is wrong. */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {MeshctlError} from '../../src/errors/index.js'
import {parseHeader, parseRequest} from '../../src/trace/request.js'

describe('parseRequest', () => {
  test('http with a port: Host carries the port, HTTP/1.1 plaintext', () => {
    const r = parseRequest('http://reviews:9080/reviews/0')
    assert.equal(r.scheme, 'http')
    assert.equal(r.host, 'reviews')
    assert.equal(r.port, 9080)
    assert.equal(r.path, '/reviews/0')
    assert.equal(r.authority, 'reviews:9080')
    assert.equal(r.httpProtocol, 'http/1.1')
    assert.equal(r.tls, false)
    assert.equal(r.method, 'GET')
  })
  test('http without a port: 80, Host without it; path defaults to / and keeps the query', () => {
    const r = parseRequest('http://Reviews.Default.svc.cluster.local?x=1')
    assert.equal(r.port, 80)
    assert.equal(r.host, 'reviews.default.svc.cluster.local')
    assert.equal(r.authority, 'reviews.default.svc.cluster.local')
    assert.equal(r.path, '/?x=1')
    const q = parseRequest('http://reviews.default.svc.cluster.local/api?x=1')
    assert.equal(q.path, '/api?x=1')
  })
  test('https: TLS, SNI = host, curl ALPN, port 443 left out of Host', () => {
    const r = parseRequest('https://bookinfo.example.com/productpage')
    assert.equal(r.tls, true)
    assert.equal(r.sni, 'bookinfo.example.com')
    assert.deepEqual(r.alpn, ['h2', 'http/1.1'])
    assert.equal(r.port, 443)
    assert.equal(r.authority, 'bookinfo.example.com')
    assert.equal(r.httpProtocol, undefined)
  })
  test('https to an explicit default port: Host still without it (curl)', () => {
    assert.equal(parseRequest('https://a.example.com:443/').authority, 'a.example.com')
    assert.equal(parseRequest('http://a:80/').authority, 'a')
  })
  test('--sni and --alpn override; an IP host sends no SNI', () => {
    const r = parseRequest('https://10.0.0.5:8443/', {sni: 'x.example.com', alpn: 'http/1.1'})
    assert.equal(r.sni, 'x.example.com')
    assert.deepEqual(r.alpn, ['http/1.1'])
    assert.equal(parseRequest('https://10.0.0.5:8443/').sni, undefined)
  })
  test('tcp: opaque, no path, needs a port', () => {
    const r = parseRequest('tcp://10.96.0.15:3306')
    assert.equal(r.scheme, 'tcp')
    assert.equal(r.httpProtocol, undefined)
    assert.equal(r.tls, false)
    assert.equal(r.path, '')
    assert.throws(() => parseRequest('tcp://10.96.0.15'), /needs a port/)
  })
  test('h2c: HTTP/2 prior knowledge', () => {
    assert.equal(parseRequest('h2c://grpc:50051/pkg.Svc/M').httpProtocol, 'h2c')
  })
  test('IPv6 literal', () => {
    const r = parseRequest('http://[fd00::1]:9080/x')
    assert.equal(r.host, 'fd00::1')
    assert.equal(r.authority, '[fd00::1]:9080')
  })
  test('-H Host overrides the authority; headers are lowercased', () => {
    const r = parseRequest('http://10.0.0.1:8080/', {header: ['Host: bookinfo.example.com', 'End-User: jason']})
    assert.equal(r.authority, 'bookinfo.example.com')
    assert.deepEqual(r.headers, [['end-user', 'jason']])
  })
  test('-X is upper-cased', () => {
    assert.equal(parseRequest('http://a/', {method: 'post'}).method, 'POST')
  })
  const bad: Array<[string, Parameters<typeof parseRequest>[1], RegExp]> = [
    ['ftp://a/', {}, /unknown scheme "ftp"/],
    ['reviews:9080/x', {}, /is not a URL/],
    ['http:///x', {}, /has no host/],
    ['http://a:99999/', {}, /not a port number/],
    ['http://a:x/', {}, /not a port number/],
    ['tcp://a:1/path', {}, /has no path/],
    ['tcp://a:1', {method: 'POST'}, /HTTP options/],
    ['http://a/', {sni: 'x'}, /not TLS/],
    ['http://a/', {header: ['nocolon']}, /has no colon/],
    ['https://a/', {alpn: ' , '}, /--alpn is empty/],
    ['http://[fd00::1/', {}, /unclosed IPv6/],
  ]
  for (const [url, flags, re] of bad) {
    test(`rejects ${url} ${JSON.stringify(flags)} with a usage error`, () => {
      assert.throws(
        () => parseRequest(url, flags),
        (e: unknown) => e instanceof MeshctlError && e.exitCode === 2 && re.test(e.oneLine) && !e.oneLine.includes('\n'),
      )
    })
  }
})

describe('parseHeader', () => {
  test('name: value, value trimmed, colons in the value kept', () => {
    assert.deepEqual(parseHeader('X-Time:  10:30 '), ['x-time', '10:30'])
  })
  test('pseudo-headers', () => {
    assert.deepEqual(parseHeader(':authority: a.example.com'), [':authority', 'a.example.com'])
  })
  test('bad names', () => {
    assert.throws(() => parseHeader('bad name: x'), /not a valid HTTP header name/)
  })
})
