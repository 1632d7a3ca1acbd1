/**
 * The sandbox istiod (src/sandbox/istiod.ts) through the real paths meshctl uses: a TokenRequest through KubeApi,
 * Kubernetes port-forward streams (openPodStream) to istiod's pod ports, and src/xds/client.ts's ADS client on both
 * 15010 (plaintext) and 15012 (TLS + token). HTTP /debug/syncz and xDS istio.io/debug/syncz agree on every proxy
 * and every sync state; config dumps by proxy ID; authentication failures; timeouts. One sandbox (Bookinfo with
 * the full istiod layout) for the file.
 */
import assert from 'node:assert/strict'
import https from 'node:https'
import net from 'node:net'
import {after, before, describe, test} from 'node:test'
import {bookinfo, configDump, proxies} from '../../src/gen/index.js'
import {isMeshctlError, type MeshctlError} from '../../src/errors/index.js'
import {KubeApi} from '../../src/kube/api.js'
import {openPodStream, portForwardRequest} from '../../src/kube/transport.js'
import {type Sandbox, startSandbox} from '../../src/sandbox/cluster.js'
import {ISTIO_CA_AUDIENCE, verifyServiceAccountToken} from '../../src/sandbox/istiod-auth.js'
import {BOOKINFO_ISTIOD, istiodCerts, istiodConfigDump, istiodLayout, NOT_CONNECTED_TEXT, PROFILE_STATES, XDS_TYPE} from '../../src/sandbox/istiod.js'
import {bookinfoSandboxSpec} from '../../src/sandbox/mesh.js'
import {anyBytes} from '../../src/xds/codec.js'
import {DEBUG_ANY, DEBUG_CONFIG_DUMP, DEBUG_SYNCZ, debugText, type FetchDebugOptions, fetchDebug, type JsonObject} from '../../src/xds/client.js'
import {requestIstiodToken} from '../../src/xds/token.js'
import {apiRequest} from '../fixtures/sandbox/client.js'

const NS = BOOKINFO_ISTIOD.namespace
const ALL_PODS = [...BOOKINFO_ISTIOD.pods, BOOKINFO_ISTIOD.canaryPod]
const STATUS_OF_HTTP = (r: any): string => (r.lastError ? 'ERROR' : !r.sent ? 'NOT_SENT' : r.acked === r.sent ? 'SYNCED' : 'STALE')

async function rejects(p: Promise<unknown>): Promise<MeshctlError> {
  try {
    await p
  } catch (err) {
    assert.ok(isMeshctlError(err), String(err))
    return err as MeshctlError
  }
  assert.fail('expected a rejection')
}

/** POST with a JSON body to the sandbox API server. */
function post(sb: Sandbox, path: string, body: unknown, token = sb.token, method = 'POST'): Promise<{status: number; json: any}> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? '' : JSON.stringify(body)
    const req = https.request(`${sb.url}${path}`, {method, ca: sb.caPem, agent: false, headers: {Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text)}}, (res) => {
      let t = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (t += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, json: t ? JSON.parse(t) : undefined}))
    })
    req.setTimeout(5000, () => req.destroy(new Error(`timeout: ${path}`)))
    req.on('error', reject)
    req.end(text)
  })
}

describe('sandbox istiod: xDS debug and HTTP debug endpoints', () => {
  const mesh = bookinfo()
  let sb: Sandbox
  let api: KubeApi
  let token: string

  /** fetchDebug through a port-forward to `pod`:`port` */
  const via = (pod: string, port: number, extra: Partial<FetchDebugOptions> = {}): FetchDebugOptions => ({
    socketFactory: async () => (await openPodStream(api, NS, pod, port)).socket,
    tls: port === 15010 ? 'plaintext' : {insecure: true},
    token: port === 15010 ? undefined : token,
    timeoutMs: 5000,
    pod,
    ...extra,
  })

  before(async () => {
    const spec = bookinfoSandboxSpec({istiod: 'full'})
    spec.tokens = {'admin-token': {user: 'admin'}, 'bob-token': {user: 'bob', deny: [{verb: 'create', resource: 'serviceaccounts/token'}]}}
    sb = await startSandbox(spec)
    api = await KubeApi.open({kubeconfig: sb.kubeconfigPath, timeoutMs: 5000})
    token = await requestIstiodToken(api, {namespace: NS})
  })
  after(() => sb?.close())

  test('the exported constants are what istiodLayout gives Bookinfo; the API lists the istiod pods', {timeout: 15_000}, async () => {
    const layout = istiodLayout(mesh, {mode: 'full'})
    assert.deepEqual(layout.replicas.map((r) => r.pod), ALL_PODS)
    assert.equal(layout.diverged, BOOKINFO_ISTIOD.diverged)
    assert.equal(layout.disconnected, BOOKINFO_ISTIOD.disconnected)
    const table = Object.fromEntries(layout.proxies.filter((p) => p.istiods.length).map((p) => [p.id, [p.istiods[0], p.profile]]))
    assert.deepEqual(table, BOOKINFO_ISTIOD.proxies)
    assert.deepEqual(layout.proxies.map((p) => p.id).sort(), proxies(mesh).map((p) => `${p.pod}.${p.namespace}`).sort())

    const pods = (await apiRequest(sb, `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Distiod`)).json().items
    assert.deepEqual(pods.map((p: any) => p.metadata.name).sort(), [...ALL_PODS].sort())
    const rev = (name: string) => pods.find((p: any) => p.metadata.name === name).metadata.labels['istio.io/rev']
    assert.deepEqual(ALL_PODS.map(rev), ['default', 'default', 'canary'])
    const deploys = (await apiRequest(sb, `/apis/apps/v1/namespaces/${NS}/deployments`)).json().items
    const d = (n: string) => deploys.find((x: any) => x.metadata.name === n)
    assert.equal(d('istiod').spec.replicas, 2)
    assert.equal(d('istiod-canary').spec.replicas, 1)
    const canaryOnly = (await apiRequest(sb, `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Distiod%2Cistio.io%2Frev%3Dcanary`)).json().items
    assert.deepEqual(canaryOnly.map((p: any) => p.metadata.name), [BOOKINFO_ISTIOD.canaryPod])
    // proxies served by the canary carry its revision
    const httpbin = proxies(mesh).find((p) => p.app === 'httpbin')!
    const pod = (await apiRequest(sb, `/api/v1/namespaces/foo/pods/${httpbin.pod}`)).json()
    assert.equal(pod.metadata.annotations['istio.io/rev'], 'canary')
  })

  test('TokenRequest: a token for audience istio-ca; RBAC, unknown service account, bad input', {timeout: 15_000}, async () => {
    const check = verifyServiceAccountToken(token, ISTIO_CA_AUDIENCE)
    assert.ok(check.ok)
    assert.equal(check.claims.sub, 'system:serviceaccount:istio-system:default')
    assert.ok(check.claims.exp - check.claims.iat === 3600)

    const path = `/api/v1/namespaces/${NS}/serviceaccounts/default/token`
    const r = await post(sb, path, {apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {expirationSeconds: 1200}})
    assert.equal(r.status, 201)
    assert.equal(r.json.kind, 'TokenRequest')
    assert.deepEqual(r.json.spec.audiences, ['https://kubernetes.default.svc.cluster.local'])
    assert.match(r.json.status.expirationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    const apiAudience = verifyServiceAccountToken(r.json.status.token, ISTIO_CA_AUDIENCE)
    assert.equal(apiAudience.ok, false)

    assert.equal((await post(sb, path, {spec: {expirationSeconds: 60}})).status, 422)
    assert.equal((await post(sb, `/api/v1/namespaces/${NS}/serviceaccounts/nobody/token`, {})).json.message, 'serviceaccounts "nobody" not found')
    assert.equal((await post(sb, '/api/v1/namespaces/nowhere/serviceaccounts/default/token', {})).status, 404)
    assert.equal((await post(sb, path, undefined, sb.token, 'GET')).status, 405)
    const denied = await post(sb, path, {}, 'bob-token')
    assert.equal(denied.status, 403)
    assert.equal(denied.json.message, 'serviceaccounts "default" is forbidden: User "bob" cannot create resource "serviceaccounts/token" in API group "" in the namespace "istio-system"')

    const bob = await KubeApi.open({kubeconfig: sb.kubeconfigPath, context: 'sandbox-bob', timeoutMs: 5000})
    const err = await rejects(requestIstiodToken(bob, {namespace: NS}))
    assert.equal(err.code, 'E_FORBIDDEN')
    assert.equal(err.exitCode, 4)
    assert.match(err.oneLine, /^serviceaccounts "default" is forbidden: User "bob" cannot create resource "serviceaccounts\/token".*; istiod's xDS port 15012 needs a token/)
  })

  test('syncz: HTTP (15014) and xDS on 15010 and 15012 agree; every state appears; each proxy on its one istiod', {timeout: 30_000}, async () => {
    const seen = new Map<string, string>()
    const states = new Set<string>()
    let neverAcked = 0
    for (const pod of ALL_PODS) {
      const http = await portForwardRequest(api, NS, pod, 15014, 'GET', 'debug/syncz')
      assert.equal(http.status, 200)
      const entries = JSON.parse(http.body.toString('utf8')) as any[]
      const tls = await fetchDebug(via(pod, 15012), DEBUG_SYNCZ)
      const plain = await fetchDebug(via(pod, 15010), DEBUG_SYNCZ)
      assert.deepEqual({...plain, nonce: ''}, {...tls, nonce: ''}, `${pod}: 15010 and 15012 answer alike`)
      assert.equal(tls.typeUrl, DEBUG_SYNCZ)
      assert.equal(JSON.parse((tls.controlPlane as JsonObject).identifier as string).ID, pod)
      const resources = tls.resources as any[]
      assert.deepEqual(resources.map((r) => r.node.id), entries.map((e) => e.proxy), pod)
      for (const [i, cc] of resources.entries()) {
        const e = entries[i]
        assert.equal(cc['@type'], 'type.googleapis.com/envoy.service.status.v3.ClientConfig')
        assert.deepEqual(cc.node.metadata, {CLUSTER_ID: 'Kubernetes', ISTIO_VERSION: mesh.istio.version, NAMESPACE: e.proxy.slice(e.proxy.lastIndexOf('.') + 1)})
        assert.equal(seen.get(cc.node.id), undefined, `${cc.node.id} on two istiods`)
        seen.set(cc.node.id, pod)
        assert.deepEqual(cc.genericXdsConfigs.map((g: any) => g.typeUrl), Object.keys(e.resources).sort())
        for (const g of cc.genericXdsConfigs) {
          const h = e.resources[g.typeUrl]
          assert.equal(g.configStatus, STATUS_OF_HTTP(h), `${cc.node.id} ${g.typeUrl}`)
          assert.equal(g.lastUpdated, h.sentTime)
          assert.equal(g.errorState?.details, h.lastError)
          states.add(g.configStatus)
          if (h.sent && !h.acked) neverAcked++
        }
        // the flat nonces agree with `resources`
        assert.equal(e.cluster_sent, e.resources[XDS_TYPE.CDS].sent)
        assert.equal(e.listener_acked, e.resources[XDS_TYPE.LDS].acked)
      }
    }
    assert.deepEqual([...states].sort(), ['ERROR', 'NOT_SENT', 'STALE', 'SYNCED'])
    assert.ok(neverAcked >= 2)
    assert.deepEqual(Object.fromEntries([...seen].sort()), Object.fromEntries(Object.entries(BOOKINFO_ISTIOD.proxies).map(([id, [pod]]) => [id, pod]).sort()))
    assert.ok(!seen.has(BOOKINFO_ISTIOD.disconnected))
    // the profiles' non-SYNCED types are the ones reported so
    const tls = await fetchDebug(via(BOOKINFO_ISTIOD.pods[0], 15012), DEBUG_SYNCZ)
    const pp = (tls.resources as any[]).find((r) => r.node.id === BOOKINFO_ISTIOD.diverged)
    const stale = Object.keys(PROFILE_STATES.stale).map((k) => XDS_TYPE[k as keyof typeof XDS_TYPE])
    assert.deepEqual(pp.genericXdsConfigs.filter((g: any) => g.configStatus === 'STALE').map((g: any) => g.typeUrl).sort(), stale.sort())
    // ages are offsets before the layout's start: in the past
    for (const g of pp.genericXdsConfigs) assert.ok(Date.parse(g.lastUpdated) <= Date.now())
    // ?namespace= filters HTTP syncz
    const foo = JSON.parse((await portForwardRequest(api, NS, BOOKINFO_ISTIOD.canaryPod, 15014, 'GET', 'debug/syncz?namespace=foo')).body.toString('utf8'))
    assert.ok(foo.length > 0 && foo.every((e: any) => e.proxy.endsWith('.foo')))
  })

  test("JSON as istiod's writeJSON writes it: compact, 4-space indent with ?pretty; syncz without proxy_version", {timeout: 30_000}, async () => {
    const pod = BOOKINFO_ISTIOD.pods[0]!
    for (const path of ['debug/syncz', 'debug/adsz', 'debug/registryz', `debug/config_dump?proxyID=${BOOKINFO_ISTIOD.diverged}`]) {
      const plain = (await portForwardRequest(api, NS, pod, 15014, 'GET', path)).body.toString('utf8')
      assert.doesNotMatch(plain, /\n/, `${path}: compact`)
      const pretty = (await portForwardRequest(api, NS, pod, 15014, 'GET', `${path}${path.includes('?') ? '&' : '?'}pretty`)).body.toString('utf8')
      assert.equal(pretty, JSON.stringify(JSON.parse(plain), null, 4), `${path}?pretty`)
    }
    const entries = JSON.parse((await portForwardRequest(api, NS, pod, 15014, 'GET', 'debug/syncz')).body.toString('utf8')) as Array<Record<string, unknown>>
    assert.ok(entries.length > 0 && entries.every((e) => !('proxy_version' in e) && typeof e.istio_version === 'string'))
  })

  test('config_dump by proxy ID: HTTP, typed xDS and istio.io/debug; not connected; the diverged proxy differs', {timeout: 30_000}, async () => {
    const [home, other] = BOOKINFO_ISTIOD.pods
    const id = BOOKINFO_ISTIOD.diverged
    const info = proxies(mesh).find((p) => `${p.pod}.${p.namespace}` === id)!
    const http = await portForwardRequest(api, NS, home!, 15014, 'GET', `debug/config_dump?proxyID=${id}`)
    assert.equal(http.status, 200)
    const dump = JSON.parse(http.body.toString('utf8'))
    assert.deepEqual(dump, istiodConfigDump(mesh, info, true))
    const missing = await portForwardRequest(api, NS, other!, 15014, 'GET', `debug/config_dump?proxyID=${id}`)
    assert.equal(missing.status, 404)
    assert.equal(missing.body.toString('utf8'), NOT_CONNECTED_TEXT)

    // istiod's clusters: Envoy's plus one; one route timeout changed
    const names = (d: any) => d.configs.find((c: any) => c['@type'].endsWith('ClustersConfigDump')).dynamic_active_clusters.map((c: any) => c.cluster.name).sort()
    const envoy = configDump(mesh, info)
    const extra = names(dump).filter((n: string) => !names(envoy).includes(n))
    assert.equal(extra.length, 1)
    assert.match(extra[0], /^outbound\|\d+\|canary\|/)
    assert.match(JSON.stringify(dump), /"timeout":"15s"/)
    // a proxy that is not diverged: istiod's clusters are exactly Envoy's dynamic ones
    const synced = Object.entries(BOOKINFO_ISTIOD.proxies).find(([, [pod, profile]]) => pod === home && profile === 'synced')![0]
    const syncedInfo = proxies(mesh).find((p) => `${p.pod}.${p.namespace}` === synced)!
    assert.deepEqual(names(istiodConfigDump(mesh, syncedInfo)), names(configDump(mesh, syncedInfo)))

    // typed xDS: the sections as Anys; nothing for a proxy connected elsewhere (plaintext port)
    const typed = await fetchDebug(via(home!, 15010), DEBUG_CONFIG_DUMP, [id])
    const sections = typed.resources as any[]
    assert.deepEqual(sections.map((s) => s['@type']), dump.configs.map((c: any) => c['@type']))
    const {'@type': _t, ...clusters} = dump.configs[1]
    assert.deepEqual(JSON.parse(anyBytes(sections[1]).toString('utf8')), clusters)
    const none = await fetchDebug(via(other!, 15010), DEBUG_CONFIG_DUMP, [id])
    assert.equal(none.resources, undefined)
    assert.equal(JSON.parse((none.controlPlane as JsonObject).identifier as string).ID, other)

    // istio.io/debug: the HTTP answer's body, only on the authenticated port
    const text = debugText(await fetchDebug(via(home!, 15012), DEBUG_ANY, [`config_dump?proxyID=${id}`]))
    assert.deepEqual(JSON.parse(text), dump)
    assert.equal(debugText(await fetchDebug(via(other!, 15012), DEBUG_ANY, [`config_dump?proxyID=${id}`])), NOT_CONNECTED_TEXT)
    const syncz = JSON.parse(debugText(await fetchDebug(via(other!, 15012), DEBUG_ANY, ['syncz'])))
    assert.ok(syncz.length > 0)
    const err = await rejects(fetchDebug(via(home!, 15010), DEBUG_ANY, ['syncz']))
    assert.equal(err.code, 'E_XDS_UNAUTHENTICATED')
    assert.match(err.message, /authentication required/)
  })

  test('15012 authentication: no token, a forged token, a token for another audience, another namespace', {timeout: 30_000}, async () => {
    const pod = BOOKINFO_ISTIOD.pods[1]!
    const none = await rejects(fetchDebug(via(pod, 15012, {token: undefined}), DEBUG_SYNCZ))
    assert.equal(none.code, 'E_XDS_UNAUTHENTICATED')
    assert.equal(none.exitCode, 5)
    assert.match(none.message, /^could not get XDS from discovery pod "istiod-564d54fb85-6d4sp": istiod rejected the credentials \(gRPC Unauthenticated: authentication failure: .*no HTTP authorization header exists\]\)$/)
    assert.match(none.oneLine, /needs a bearer token/)

    const forged = `${token.slice(0, token.lastIndexOf('.'))}.AAAA`
    const bad = await rejects(fetchDebug(via(pod, 15012, {token: forged}), DEBUG_SYNCZ))
    assert.equal(bad.code, 'E_XDS_UNAUTHENTICATED')
    assert.match(bad.message, /the token is not authenticated/)

    const apiToken = await requestIstiodToken(api, {namespace: NS, audience: 'https://kubernetes.default.svc.cluster.local'})
    const aud = await rejects(fetchDebug(via(pod, 15012, {token: apiToken}), DEBUG_SYNCZ))
    assert.match(aud.message, /do not include "istio-ca"/)

    const otherNs = await requestIstiodToken(api, {namespace: 'default'})
    const denied = await rejects(fetchDebug(via(pod, 15012, {token: otherNs}), DEBUG_SYNCZ))
    assert.equal(denied.code, 'E_XDS_DENIED')
    assert.match(denied.message, /authorization failed: no identities \(\[spiffe:\/\/cluster\.local\/ns\/default\/sa\/default\]\) matched istio-system\/default/)
    // ... unless the node says it is in that namespace
    const ok = await fetchDebug(via(pod, 15012, {token: otherNs, namespace: 'default'}), DEBUG_SYNCZ)
    assert.ok((ok.resources as unknown[]).length > 0)
  })

  test('TLS: verified against the istiod CA by name; unverified without it; plaintext against 15012 fails', {timeout: 30_000}, async () => {
    const pod = BOOKINFO_ISTIOD.canaryPod
    const {caPem} = await istiodCerts()
    const verified = await fetchDebug(via(pod, 15012, {tls: {caPem, serverName: 'istiod-canary.istio-system.svc'}}), DEBUG_SYNCZ)
    assert.ok((verified.resources as unknown[]).length > 0)
    const unverified = await rejects(fetchDebug(via(pod, 15012, {tls: {}}), DEBUG_SYNCZ))
    assert.equal(unverified.code, 'E_XDS_TLS')
    assert.match(unverified.message, /TLS with istiod failed \(gRPC Unavailable: .*certificate/)
    const wrongName = await rejects(fetchDebug(via(pod, 15012, {tls: {caPem, serverName: 'example.com'}}), DEBUG_SYNCZ))
    assert.equal(wrongName.code, 'E_XDS_TLS')
    const plain = await rejects(fetchDebug(via(pod, 15012, {tls: 'plaintext'}), DEBUG_SYNCZ))
    assert.equal(plain.exitCode, 5)
    assert.match(plain.code, /^E_XDS_(UNAVAILABLE|TLS)$/)
    const tlsOnPlain = await rejects(fetchDebug(via(pod, 15010, {tls: {insecure: true}}), DEBUG_SYNCZ))
    assert.equal(tlsOnPlain.code, 'E_XDS_TLS')
    // nothing listens on the port: the port-forward's refusal ends the connection
    const refused = await rejects(fetchDebug(via(pod, 15011, {tls: 'plaintext'}), DEBUG_SYNCZ))
    assert.equal(refused.code, 'E_XDS_UNAVAILABLE')
  })

  test('the basic layout (default) answers xDS too: one istiod, every proxy SYNCED', {timeout: 30_000}, async () => {
    const sb2 = await startSandbox(bookinfoSandboxSpec())
    try {
      const api2 = await KubeApi.open({kubeconfig: sb2.kubeconfigPath, timeoutMs: 5000})
      const pods = (await apiRequest(sb2, `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Distiod`)).json().items
      assert.equal(pods.length, 1)
      const pod = pods[0].metadata.name
      const res = await fetchDebug({socketFactory: async () => (await openPodStream(api2, NS, pod, 15010)).socket, tls: 'plaintext', timeoutMs: 5000, pod}, DEBUG_SYNCZ)
      const resources = res.resources as any[]
      assert.equal(resources.length, proxies(mesh).length)
      assert.ok(resources.every((r) => r.genericXdsConfigs.length === 5 && r.genericXdsConfigs.every((g: any) => g.configStatus === 'SYNCED')))
    } finally {
      await sb2.close()
    }
  })
})

describe('xDS client timeouts and transport failures (no sandbox)', () => {
  test('a server that accepts and never answers: E_TIMEOUT after timeoutMs, plaintext and TLS', {timeout: 15_000}, async () => {
    const sockets = new Set<net.Socket>()
    const server = net.createServer((s) => {
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => sockets.delete(s))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`
    try {
      for (const tls of ['plaintext', {insecure: true}] as const) {
        const t0 = Date.now()
        const err = await rejects(fetchDebug({address, tls, timeoutMs: 600, pod: 'istiod-x'}, DEBUG_SYNCZ))
        const took = Date.now() - t0
        assert.equal(err.code, 'E_TIMEOUT')
        assert.equal(err.message, 'could not get XDS from discovery pod "istiod-x": no answer within 600ms')
        assert.ok(took >= 550 && took < 3000, `took ${took} ms`)
      }
    } finally {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    }
  })

  test('a socket factory that never delivers: E_TIMEOUT; one that throws a MeshctlError: that error', {timeout: 15_000}, async () => {
    const never = await rejects(fetchDebug({socketFactory: () => new Promise(() => {}), tls: 'plaintext', timeoutMs: 500}, DEBUG_SYNCZ))
    assert.equal(never.code, 'E_TIMEOUT')
    assert.match(never.message, /^could not get XDS from istiod: no answer within 500ms$/)
    const {ClusterError} = await import('../../src/errors/index.js')
    const thrown = await rejects(
      fetchDebug(
        {
          socketFactory: () => {
            throw new ClusterError('pods "istiod-gone" not found', {code: 'E_NOT_FOUND'})
          },
          tls: 'plaintext',
          timeoutMs: 2000,
        },
        DEBUG_SYNCZ,
      ),
    )
    assert.equal(thrown.code, 'E_NOT_FOUND')
    assert.equal(thrown.message, 'pods "istiod-gone" not found')
  })

  test('connection refused: E_XDS_UNAVAILABLE naming the address', {timeout: 15_000}, async () => {
    const server = net.createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as net.AddressInfo).port
    await new Promise<void>((r) => server.close(() => r()))
    const err = await rejects(fetchDebug({address: `127.0.0.1:${port}`, tls: 'plaintext', timeoutMs: 3000}, DEBUG_SYNCZ))
    assert.equal(err.code, 'E_XDS_UNAVAILABLE')
    assert.match(err.message, new RegExp(`^could not get XDS from 127\\.0\\.0\\.1:${port}: cannot reach istiod \\(gRPC Unavailable: `))
  })
})
