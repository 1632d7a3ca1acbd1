/**
 * pods/portforward over websockets: client-node 2.0.1's PortForward class used as an HTTP client's socket (how
 * meshctl reaches Envoy), raw v4 frames (the two port prefix frames, multi-port channel pairs, error channel text),
 * refused ports, large and concurrent transfers, raw TCP handlers, and the pre-upgrade errors.
 */
import assert from 'node:assert/strict'
import {afterEach, beforeEach, describe, test} from 'node:test'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {channelText, clientNodeForwardGet, kubeConfigFor, rawWs} from '../fixtures/sandbox/client.js'
import {RESTRICTED_TOKEN, tinySpec} from '../fixtures/sandbox/tiny.js'

// one fresh sandbox per test (~30 ms); describe() scopes the hooks when the files share a process (index.ts)
describe('pods/portforward over websockets', () => {
  let sb: Sandbox
  beforeEach(async () => {
    const spec = tinySpec()
    const big = Buffer.alloc(3 * 1024 * 1024, 'x')
    spec.pods!.push({
      name: 'big-0',
      namespace: 'bookinfo',
      containers: [{name: 'big'}],
      ports: {
        8080: (_req, res) => res.end(big),
        9000: {tcp: (sock) => sock.on('data', (d: Buffer) => sock.write(Buffer.from(d.toString().toUpperCase())))},
      },
    })
    sb = await startSandbox(spec)
  })
  afterEach(() => sb.close())

  const PP = 'productpage-v1-7d4f8b-abcde'
  const REFUSED_RE = /^error forwarding port 15000 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace "\/var\/run\/netns\/cni-[0-9a-f-]{36}": failed to connect to localhost:15000 inside namespace "[0-9a-f]{64}", IPv4: dial tcp4 127\.0\.0\.1:15000: connect: connection refused IPv6 dial tcp6 \[::1\]:15000: connect: connection refused $/

  test('client-node PortForward: HTTP GET to Envoy admin through the websocket (v4)', {timeout: 15_000}, async () => {
    const kc = kubeConfigFor(sb)
    const r = await clientNodeForwardGet(kc, 'bookinfo', PP, 15000, '/config_dump?mask=dynamic_active_clusters')
    assert.equal(r.protocol, 'v4.channel.k8s.io')
    assert.equal(r.status, 200)
    assert.equal(JSON.parse(r.body).configs[0].dynamic_active_clusters.length, 2)
    assert.equal(r.errorChannel, '')
    const missing = await clientNodeForwardGet(kc, 'bookinfo', PP, 15000, '/nope')
    assert.equal(missing.status, 404)
    const rec = sb.requests.findLast((x) => x.kind === 'portforward')!
    assert.equal(rec.protocol, 'v4.channel.k8s.io')
    assert.equal(rec.query, 'ports=15000')
  })

  test('client-node PortForward: 3 MB body, 5 concurrent forwards', {timeout: 20_000}, async () => {
    const kc = kubeConfigFor(sb)
    const big = await clientNodeForwardGet(kc, 'bookinfo', 'big-0', 8080, '/')
    assert.equal(big.body.length, 3 * 1024 * 1024)
    const all = await Promise.all(Array.from({length: 5}, () => clientNodeForwardGet(kc, 'bookinfo', PP, 15000, '/ready')))
    assert.deepEqual(all.map((r) => r.body), Array(5).fill('LIVE\n'))
  })

  test('client-node PortForward: refused port -> kubelet/containerd text on the error channel, then close', {timeout: 15_000}, async () => {
    const r = await clientNodeForwardGet(kubeConfigFor(sb), 'bookinfo', 'refused-5d6e-bbbbb', 15000, '/ready')
    assert.ok(r.error, 'the HTTP request fails (socket hang up)')
    assert.match(r.errorChannel, REFUSED_RE)
    const noSidecar = await clientNodeForwardGet(kubeConfigFor(sb), 'bookinfo', 'nosidecar-6c7d-ddddd', 15000, '/ready')
    assert.match(noSidecar.errorChannel, REFUSED_RE, 'a pod without istio-proxy has nothing on 15000 either')
  })

  test('raw v4: port prefix frames on both channels, data, close after the pod closes', {timeout: 15_000}, async () => {
    const req = 'GET /ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'
    const r = await rawWs(sb, `/api/v1/namespaces/bookinfo/pods/${PP}/portforward?ports=15000`, {
      protocols: ['v4.channel.k8s.io'],
      send: [Buffer.concat([Buffer.from([0]), Buffer.from(req)])],
    })
    assert.deepEqual(r.frames[0], {channel: 0, data: Buffer.from([0x98, 0x3a]), text: false}, '15000 as uint16 little-endian')
    assert.deepEqual(r.frames[1], {channel: 1, data: Buffer.from([0x98, 0x3a]), text: false})
    const data = Buffer.concat(r.frames.slice(2).filter((f) => f.channel === 0).map((f) => f.data)).toString()
    assert.match(data, /^HTTP\/1\.1 200 OK\r\n/)
    assert.match(data, /\r\n\r\nLIVE\n$/)
    assert.equal(r.closeCode, 1000)
  })

  test('raw v4: several ports in one websocket, channel pairs 2i/2i+1, per-port refusal, raw TCP handler', {timeout: 15_000}, async () => {
    const r = await rawWs(sb, '/api/v1/namespaces/bookinfo/pods/big-0/portforward?ports=9000,15000', {
      protocols: ['v4.channel.k8s.io'],
      send: [Buffer.concat([Buffer.from([0]), Buffer.from('shout')])],
      closeAfterMs: 300,
    })
    assert.deepEqual(r.frames.slice(0, 4).map((f) => [f.channel, f.data.readUInt16LE(0)]), [
      [0, 9000],
      [1, 9000],
      [2, 15000],
      [3, 15000],
    ])
    assert.equal(Buffer.concat(r.frames.slice(4).filter((f) => f.channel === 0).map((f) => f.data)).toString(), 'SHOUT')
    assert.match(channelText({frames: r.frames.slice(4)}, 3), REFUSED_RE)
    const b64 = await rawWs(sb, '/api/v1/namespaces/bookinfo/pods/big-0/portforward?ports=9000', {
      protocols: ['v4.base64.channel.k8s.io'],
      send: [`0${Buffer.from('abc').toString('base64')}`],
      closeAfterMs: 300,
    })
    assert.equal(b64.protocol, 'v4.base64.channel.k8s.io')
    assert.equal(Buffer.concat(b64.frames.slice(2).filter((f) => f.channel === 0).map((f) => f.data)).toString(), 'ABC')
  })

  test('pre-upgrade errors: missing port, unknown pod, unscheduled, Pending, forbidden, Failed pod', {timeout: 15_000}, async () => {
    const p = ['v4.channel.k8s.io']
    const noPort = await rawWs(sb, `/api/v1/namespaces/bookinfo/pods/${PP}/portforward`, {protocols: p})
    assert.equal(noPort.status, 400)
    assert.equal(noPort.body, 'query parameter "port" is required')
    const missing = await rawWs(sb, '/api/v1/namespaces/bookinfo/pods/nope/portforward?ports=15000', {protocols: p})
    assert.equal(missing.status, 404)
    assert.equal(JSON.parse(missing.body!).message, 'pods "nope" not found')
    const unscheduled = await rawWs(sb, '/api/v1/namespaces/bookinfo/pods/unscheduled-1234-aaaaa/portforward?ports=15000', {protocols: p})
    assert.equal(JSON.parse(unscheduled.body!).message, 'pod unscheduled-1234-aaaaa does not have a host assigned')
    const pending = await rawWs(sb, '/api/v1/namespaces/bookinfo/pods/pending-7f9c-zzzzz/portforward?ports=15000', {protocols: p})
    assert.equal(pending.status, 500)
    assert.match(pending.body!, /^failed to find sandboxID for pod pending-7f9c-zzzzz_bookinfo\([0-9a-f-]{36}\)$/)
    const forbidden = await rawWs(sb, `/api/v1/namespaces/bookinfo/pods/${PP}/portforward?ports=15000`, {protocols: p, token: RESTRICTED_TOKEN})
    assert.equal(forbidden.status, 403)
    assert.equal(
      forbidden.body,
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"productpage-v1-7d4f8b-abcde\\" is forbidden: User \\"bob\\" cannot create resource \\"pods/portforward\\" in API group \\"\\" in the namespace \\"bookinfo\\"","reason":"Forbidden","details":{"name":"productpage-v1-7d4f8b-abcde","kind":"pods"},"code":403}',
    )
    const failed = await rawWs(sb, '/api/v1/namespaces/bookinfo/pods/failed-job-ccccc/portforward?ports=15000', {protocols: p})
    assert.match(channelText({frames: failed.frames.slice(2)}, 1), /^error forwarding port 15000 to pod [0-9a-f]{64}, uid : network namespace for sandbox "[0-9a-f]{64}" is closed$/)
    // client-node only sees the status code of a refused upgrade
    const kc = kubeConfigFor(sb)
    await assert.rejects(clientNodeForwardGet(kc, 'bookinfo', 'pending-7f9c-zzzzz', 15000, '/'), (e: any) => /500/.test(String(e?.message ?? e)))
  })
})
