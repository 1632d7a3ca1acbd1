/**
 * Failure modes meshctl must report, and the sandbox's lifecycle: hang modes (timeouts), abrupt kill, token
 * revocation, live pod changes, the kubeconfig files, the TLS certificate, cleanup.
 */
import assert from 'node:assert/strict'
import {X509Certificate} from 'node:crypto'
import fs from 'node:fs'
import https from 'node:https'
import path from 'node:path'
import tls from 'node:tls'
import {test} from 'node:test'
import {parse} from 'yaml'
import {startSandbox} from '../../src/sandbox/cluster.js'
import {apiRequest, clientNodeForwardGet, kubeConfigFor, rawWs} from '../fixtures/sandbox/client.js'
import {ADMIN_TOKEN, tempHome, tinySpec} from '../fixtures/sandbox/tiny.js'

const PP = 'productpage-v1-7d4f8b-abcde'

/** GET with a short client timeout; resolves to what happened. */
function probe(url: string, ca: string, token: string, ms: number): Promise<{outcome: 'timeout' | 'response' | 'error'; tlsDone: boolean; code?: string}> {
  return new Promise((resolve) => {
    let tlsDone = false
    const req = https.get(`${url}/version`, {ca, headers: {Authorization: `Bearer ${token}`}, agent: false}, (res) => {
      res.resume()
      resolve({outcome: 'response', tlsDone})
    })
    req.on('socket', (s) => s.on('secureConnect', () => (tlsDone = true)))
    req.setTimeout(ms, () => {
      req.destroy()
      resolve({outcome: 'timeout', tlsDone})
    })
    req.on('error', (e: NodeJS.ErrnoException) => resolve({outcome: 'error', tlsDone, code: e.code}))
  })
}

test('hang: TCP accepted, no TLS handshake, no answer; hang-after-tls: handshake but no answer; back to normal', {timeout: 15_000}, async () => {
  const sb = await startSandbox(tinySpec())
  try {
    sb.setMode('hang')
    assert.deepEqual(await probe(sb.url, sb.caPem, ADMIN_TOKEN, 300), {outcome: 'timeout', tlsDone: false})
    sb.setMode('hang-after-tls')
    assert.deepEqual(await probe(sb.url, sb.caPem, ADMIN_TOKEN, 300), {outcome: 'timeout', tlsDone: true})
    sb.setMode('normal')
    assert.deepEqual(await probe(sb.url, sb.caPem, ADMIN_TOKEN, 3000), {outcome: 'response', tlsDone: true})
  } finally {
    await sb.close()
  }
})

test('kill(): open port-forwards drop at once, then connections are refused', {timeout: 15_000}, async () => {
  const spec = tinySpec()
  spec.pods!.push({name: 'echo', namespace: 'bookinfo', containers: [{name: 'echo'}], ports: {7000: {tcp: (s) => s.pipe(s)}}})
  const sb = await startSandbox(spec)
  try {
    const open = rawWs(sb, '/api/v1/namespaces/bookinfo/pods/echo/portforward?ports=7000', {protocols: ['v4.channel.k8s.io'], timeoutMs: 5000})
    await new Promise((r) => setTimeout(r, 200))
    const t0 = Date.now()
    await sb.kill()
    const result = await open
    assert.equal(result.closeCode, 1006, 'abnormal closure: no close frame')
    assert.ok(Date.now() - t0 < 1000)
    assert.deepEqual(await probe(sb.url, sb.caPem, ADMIN_TOKEN, 2000), {outcome: 'error', tlsDone: false, code: 'ECONNREFUSED'})
  } finally {
    await sb.close()
  }
})

test('tokens revoked or expired at runtime get 401; live pod changes are visible', {timeout: 15_000}, async () => {
  const sb = await startSandbox(tinySpec())
  try {
    assert.equal((await apiRequest(sb, '/api/v1/pods')).status, 200)
    sb.setToken(ADMIN_TOKEN, {user: 'alice', expired: true})
    assert.equal((await apiRequest(sb, '/api/v1/pods')).status, 401)
    sb.setToken(ADMIN_TOKEN, {user: 'alice', deny: [{verb: 'get', resource: 'pods'}]})
    assert.equal((await apiRequest(sb, `/api/v1/namespaces/bookinfo/pods/${PP}`)).json().message, `pods "${PP}" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "bookinfo"`)
    sb.setToken(ADMIN_TOKEN, {user: 'alice'})

    const kc = kubeConfigFor(sb)
    assert.equal((await clientNodeForwardGet(kc, 'bookinfo', PP, 15000, '/ready')).body, 'LIVE\n')
    sb.updatePod('bookinfo', PP, {ports: {15000: 'refuse'}})
    assert.match((await clientNodeForwardGet(kc, 'bookinfo', PP, 15000, '/ready')).errorChannel, /connection refused/)
    sb.updatePod('bookinfo', PP, {phase: 'Pending'})
    assert.equal((await apiRequest(sb, `/api/v1/namespaces/bookinfo/pods/${PP}`)).json().status.phase, 'Pending')
    assert.equal(sb.deletePod('bookinfo', PP), true)
    assert.equal((await apiRequest(sb, `/api/v1/namespaces/bookinfo/pods/${PP}`)).status, 404)
    assert.throws(() => sb.updatePod('bookinfo', PP, {}), /no pod bookinfo\/productpage-v1-7d4f8b-abcde/)
  } finally {
    await sb.close()
  }
})

test('kubeconfig: CA inlined, one user per token, contexts per user; close() removes the temp files', {timeout: 15_000}, async () => {
  const sb = await startSandbox(tinySpec(), {defaultNamespace: 'bookinfo'})
  const home = tempHome()
  try {
    assert.match(sb.url, /^https:\/\/127\.0\.0\.1:\d+$/)
    const kc = parse(fs.readFileSync(sb.kubeconfigPath, 'utf8'))
    assert.equal(kc['current-context'], 'sandbox')
    assert.equal(kc.clusters[0].cluster.server, sb.url)
    assert.equal(Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), sb.caPem)
    assert.deepEqual(kc.users.map((u: any) => u.name), ['alice', 'bob', 'carol'])
    assert.deepEqual(kc.contexts.map((c: any) => `${c.name}:${c.context.user}:${c.context.namespace}`), ['sandbox:alice:bookinfo', 'sandbox-alice:alice:bookinfo', 'sandbox-bob:bob:bookinfo', 'sandbox-carol:carol:bookinfo'])
    const bob = sb.writeKubeconfig(path.join(home, 'sub', 'bob.yaml'), {user: 'bob', namespace: 'istio-system'})
    const parsed = parse(fs.readFileSync(bob, 'utf8'))
    assert.deepEqual(parsed.contexts[0].context, {cluster: 'sandbox', user: 'bob', namespace: 'istio-system'})
    assert.throws(() => sb.kubeconfig({user: 'nobody'}), /no sandbox token for user "nobody"/)
  } finally {
    await sb.close()
    fs.rmSync(home, {recursive: true, force: true})
  }
  assert.equal(fs.existsSync(sb.kubeconfigPath), false)
  assert.equal(fs.existsSync(path.dirname(sb.kubeconfigPath)), false)
})

test('TLS: serving cert for IP:127.0.0.1 and DNS:localhost, signed by the sandbox CA', {timeout: 15_000}, async () => {
  const sb = await startSandbox({})
  try {
    const cert = await new Promise<tls.PeerCertificate>((resolve, reject) => {
      const s = tls.connect({host: '127.0.0.1', port: sb.port, ca: sb.caPem, servername: 'localhost'}, () => {
        resolve(s.getPeerCertificate())
        s.end()
      })
      s.on('error', reject)
    })
    assert.equal(cert.subjectaltname, 'IP Address:127.0.0.1, DNS:localhost')
    const ca = new X509Certificate(sb.caPem)
    assert.equal(ca.ca, true)
    assert.ok(new X509Certificate(cert.raw).checkIssued(ca))
    // no CA given -> the default trust store rejects it
    await assert.rejects(
      new Promise((resolve, reject) => {
        const s = tls.connect({host: '127.0.0.1', port: sb.port}, () => resolve(s))
        s.on('error', reject)
      }),
    )
    // an empty spec still serves: a default token and the kube-* namespaces
    const ns = (await apiRequest(sb, '/api/v1/namespaces')).json()
    assert.deepEqual(ns.items.map((n: any) => n.metadata.name), ['default', 'kube-node-lease', 'kube-public', 'kube-system'])
  } finally {
    await sb.close()
  }
})
