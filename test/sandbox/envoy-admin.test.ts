/**
 * The Envoy admin emulation on its own (an http.Server on 127.0.0.1:0): config_dump mask / resource / name_regex /
 * include_eds semantics and error texts from Envoy's config_dump_handler.cc, /clusters text and JSON, /logging,
 * method checks, 404 help text, server_info, ready, stats.
 */
import assert from 'node:assert/strict'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterEach, beforeEach, describe, test} from 'node:test'
import {type EnvoyAdminHandler, envoyAdminHandler} from '../../src/sandbox/envoy-admin.js'
import {tinyClusters, tinyConfigDump} from '../fixtures/sandbox/tiny.js'

const A = 'type.googleapis.com/envoy.admin.v3.'
// one fresh admin server per test; describe() scopes the hooks when the files share a process (index.ts)
describe('Envoy admin emulation', () => {
  let server: http.Server
  let handler: EnvoyAdminHandler
  let base: string

  beforeEach(async () => {
    handler = envoyAdminHandler({configDump: tinyConfigDump, clustersJson: tinyClusters})
    server = http.createServer(handler)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterEach(() => new Promise<void>((r) => server.close(() => r())))

  async function get(path: string, method = 'GET'): Promise<{status: number; type: string; text: string; json: () => any}> {
    const res = await fetch(`${base}${path}`, {method, signal: AbortSignal.timeout(5000)})
    const text = await res.text()
    return {status: res.status, type: res.headers.get('content-type') ?? '', text, json: () => JSON.parse(text)}
  }

  const types = (r: {json: () => any}): string[] => r.json().configs.map((c: any) => c['@type'].replace(A, ''))

  test('full config_dump: sections in order, EndpointsConfigDump only with include_eds (any value)', {timeout: 10_000}, async () => {
    const plain = await get('/config_dump')
    assert.equal(plain.status, 200)
    assert.equal(plain.type, 'application/json')
    assert.deepEqual(types(plain), ['BootstrapConfigDump', 'ClustersConfigDump', 'ListenersConfigDump', 'RoutesConfigDump', 'SecretsConfigDump'])
    assert.match(plain.text, /^\{\n "configs": \[\n {2}\{\n {3}"@type"/, 'one space per level, like protobuf JSON')
    for (const q of ['include_eds', 'include_eds=true', 'include_eds=false']) {
      assert.deepEqual(types(await get(`/config_dump?${q}`)).at(-1), 'EndpointsConfigDump', q)
    }
  })

  test('mask without resource: istioctl masks keep only the matching section, @type kept', {timeout: 10_000}, async () => {
    const clusters = await get('/config_dump?mask=dynamic_active_clusters,dynamic_warming_clusters,static_clusters')
    assert.equal(clusters.status, 200)
    const cfgs = clusters.json().configs
    assert.equal(cfgs.length, 1)
    assert.deepEqual(Object.keys(cfgs[0]), ['@type', 'dynamic_active_clusters', 'static_clusters'])
    assert.equal(cfgs[0].dynamic_active_clusters.length, 2)
    assert.deepEqual(types(await get('/config_dump?mask=dynamic_listeners,static_listeners')), ['ListenersConfigDump'])
    assert.deepEqual(types(await get('/config_dump?mask=dynamic_route_configs,static_route_configs')), ['RoutesConfigDump'])
    assert.deepEqual(types(await get('/config_dump?mask=dynamic_active_secrets,dynamic_warming_secrets')), ['SecretsConfigDump'])
    assert.deepEqual(types(await get('/config_dump?mask=bootstrap')), ['BootstrapConfigDump'])
    // a field both sections have: both kept
    assert.deepEqual(types(await get('/config_dump?mask=version_info')), ['ClustersConfigDump', 'ListenersConfigDump'])
    // a deep path inside a plain message
    const node = (await get('/config_dump?mask=bootstrap.node.id')).json().configs[0]
    const nodeId = 'sidecar~10.244.0.2~productpage-v1-7d4f8b-abcde.bookinfo~bookinfo.svc.cluster.local'
    assert.deepEqual(node, {'@type': `${A}BootstrapConfigDump`, bootstrap: {node: {id: nodeId}}})
    // protobuf cannot index through a repeated field
    const bad = await get('/config_dump?mask=dynamic_active_clusters.cluster')
    assert.equal(bad.status, 400)
    assert.equal(bad.text, 'FieldMask dynamic_active_clusters.cluster could not be successfully applied to any configs.')
    const none = await get('/config_dump?mask=nonexistent')
    assert.equal(none.status, 400)
    assert.equal(none.type, 'text/plain; charset=UTF-8')
    assert.equal(none.text, 'FieldMask nonexistent could not be successfully applied to any configs.')
  })

  test('resource: one config per element, typed with the element message; mask reaches into the Any', {timeout: 10_000}, async () => {
    const r = await get('/config_dump?resource=dynamic_active_clusters')
    assert.equal(r.status, 200)
    const cfgs = r.json().configs
    assert.equal(cfgs.length, 2)
    assert.equal(cfgs[0]['@type'], `${A}ClustersConfigDump.DynamicCluster`)
    assert.equal(cfgs[0].cluster.name, 'outbound|9080||reviews.bookinfo.svc.cluster.local')
    const masked = (await get('/config_dump?resource=dynamic_active_clusters&mask=cluster.name')).json().configs
    assert.deepEqual(masked[1], {'@type': `${A}ClustersConfigDump.DynamicCluster`, cluster: {'@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: 'BlackHoleCluster'}})
    const listeners = (await get('/config_dump?resource=dynamic_listeners')).json().configs
    assert.equal(listeners[0]['@type'], `${A}ListenersConfigDump.DynamicListener`)
    const secrets = (await get('/config_dump?resource=dynamic_active_secrets&mask=name')).json().configs
    assert.deepEqual(secrets, [{'@type': `${A}SecretsConfigDump.DynamicSecret`, name: 'default'}])
    const statics = (await get('/config_dump?resource=static_clusters')).json().configs
    assert.equal(statics[0]['@type'], `${A}ClustersConfigDump.StaticCluster`)
    // empty repeated field: protobuf JSON omits empty `configs`
    assert.equal((await get('/config_dump?resource=dynamic_warming_clusters')).text, '{}\n')
  })

  test('resource errors: not repeated (400), unknown (404), bad mask (400), EDS only with include_eds', {timeout: 10_000}, async () => {
    const notRepeated = await get('/config_dump?resource=version_info')
    assert.equal(notRepeated.status, 400)
    assert.equal(notRepeated.text, 'version_info is not a repeated field. Use ?mask=version_info to get only this field')
    const unknown = await get('/config_dump?resource=foo')
    assert.equal(unknown.status, 404)
    assert.equal(unknown.text, 'foo not found in config dump')
    assert.equal((await get('/config_dump?resource=dynamic_endpoint_configs')).status, 404)
    const eds = await get('/config_dump?resource=dynamic_endpoint_configs&include_eds')
    assert.equal(eds.json().configs[0]['@type'], `${A}EndpointsConfigDump.DynamicEndpointConfig`)
    const badMask = await get('/config_dump?resource=dynamic_active_clusters&mask=nope')
    assert.equal(badMask.status, 400)
    assert.equal(badMask.text, 'FieldMask paths: "nope"\n could not be successfully used.')
  })

  test('name_regex: full match on resource names, with or without resource', {timeout: 10_000}, async () => {
    const one = (await get(`/config_dump?resource=dynamic_active_clusters&name_regex=${encodeURIComponent('.*reviews.*')}`)).json().configs
    assert.deepEqual(one.map((c: any) => c.cluster.name), ['outbound|9080||reviews.bookinfo.svc.cluster.local'])
    const partial = await get('/config_dump?resource=dynamic_active_clusters&name_regex=reviews')
    assert.equal(partial.text, '{}\n', 'RE2 FullMatch: "reviews" does not match the whole name')
    const all = (await get('/config_dump?name_regex=BlackHoleCluster')).json().configs
    assert.equal(all[0]['@type'], `${A}BootstrapConfigDump`, 'bootstrap is not filtered')
    assert.deepEqual(all[1].dynamic_active_clusters.map((c: any) => c.cluster.name), ['BlackHoleCluster'])
    assert.deepEqual(all[2].dynamic_listeners, [])
    const bad = await get('/config_dump?name_regex=(')
    assert.equal(bad.status, 400)
    assert.match(bad.text, /^INVALID_ARGUMENT: Error while parsing name_regex from \(/)
  })

  test('/clusters: JSON as given, text lines like Envoy', {timeout: 10_000}, async () => {
    const json = await get('/clusters?format=json')
    assert.equal(json.type, 'application/json')
    assert.deepEqual(json.json(), tinyClusters())
    const text = await get('/clusters')
    assert.equal(text.type, 'text/plain; charset=UTF-8')
    const c = 'outbound|9080||reviews.bookinfo.svc.cluster.local'
    const lines = text.text.split('\n')
    for (const l of [
      `${c}::observability_name::${c}`,
      `${c}::default_priority::max_connections::4294967295`,
      `${c}::high_priority::max_connections::1024`,
      `${c}::high_priority::max_retries::3`,
      `${c}::added_via_api::true`,
      `${c}::10.244.0.7:9080::cx_total::3`,
      `${c}::10.244.0.7:9080::health_flags::healthy`,
      `${c}::10.244.0.7:9080::zone::us-east1-b`,
      `${c}::10.244.0.7:9080::success_rate::-1`,
      `${c}::10.244.0.8:9080::health_flags::/failed_outlier_check/failed_eds_health`,
      'BlackHoleCluster::added_via_api::true',
    ]) {
      assert.ok(lines.includes(l), `missing line: ${l}`)
    }
    const stats = lines.filter((l) => l.startsWith(`${c}::10.244.0.7:9080::cx_`))
    assert.deepEqual(stats, [`${c}::10.244.0.7:9080::cx_active::1`, `${c}::10.244.0.7:9080::cx_connect_fail::0`, `${c}::10.244.0.7:9080::cx_total::3`])
  })

  test('/logging: POST only, active loggers text, level changes and errors', {timeout: 10_000}, async () => {
    const getAttempt = await get('/logging')
    assert.equal(getAttempt.status, 405)
    assert.equal(getAttempt.text, 'Method GET not allowed, POST required.')
    const read = await get('/logging', 'POST')
    assert.equal(read.status, 200)
    assert.match(read.text, /^active loggers:\n {2}admin: warning\n/)
    assert.match(read.text, /\n {2}misc: error\n/)
    assert.ok(read.text.endsWith('\n\n'))
    const one = await get('/logging?http=trace', 'POST')
    assert.match(one.text, /\n {2}http: trace\n/)
    assert.equal(handler.loggers.get('http'), 'trace')
    assert.equal(handler.loggers.get('router'), 'warning')
    const paths = await get('/logging?paths=router:debug,rbac:info', 'POST')
    assert.match(paths.text, /\n {2}router: debug\n/)
    assert.match(paths.text, /\n {2}rbac: info\n/)
    const all = await get('/logging?level=error', 'POST')
    assert.ok([...handler.loggers.values()].every((l) => l === 'error'))
    assert.match(all.text, /\n {2}wasm: error\n/)
    const unknown = await get('/logging?nope=debug', 'POST')
    assert.equal(unknown.status, 400)
    assert.match(unknown.text, /^error: unknown logger name\n\nusage: \/logging\?<name>=<level> \(change single level\)\n/)
    assert.match(unknown.text, /levels: trace debug info warning error critical off \n/)
    assert.match((await get('/logging?level=loud', 'POST')).text, /^error: unknown logger level\n/)
    assert.match((await get('/logging?a=debug&b=debug', 'POST')).text, /^error: invalid number of parameters\n/)
  })

  test('server_info, ready, stats, home page, 404 help text, POST-only endpoints', {timeout: 10_000}, async () => {
    const info = (await get('/server_info')).json()
    assert.equal(info.state, 'LIVE')
    assert.match(info.version, /\/1\.\d+\.\d+(-dev)?\/Clean\/RELEASE\/BoringSSL$/)
    assert.equal(info.node.id, 'sidecar~10.244.0.2~productpage-v1-7d4f8b-abcde.bookinfo~bookinfo.svc.cluster.local')
    const ready = await get('/ready')
    assert.equal(ready.status, 200)
    assert.equal(ready.text, 'LIVE\n')
    const prom = (await get('/stats/prometheus')).text
    assert.match(prom, /^# TYPE envoy_cluster_membership_healthy gauge$/m)
    assert.match(prom, /^envoy_cluster_membership_healthy\{cluster_name="outbound\|9080\|\|reviews\.bookinfo\.svc\.cluster\.local"\} 1$/m)
    assert.match(prom, /^envoy_server_live 1$/m)
    assert.match((await get('/stats')).text, /^server\.live: 1$/m)
    assert.ok((await get('/stats?format=json')).json().stats.some((s: any) => s.name === 'server.live'))
    const home = await get('/')
    assert.equal(home.type, 'text/html; charset=UTF-8')
    assert.match(home.text, /<a href='config_dump'>config_dump<\/a>/)
    assert.match(home.text, /<form action='\/logging' method='post'>/)
    const missing = await get('/nope')
    assert.equal(missing.status, 404)
    assert.match(missing.text, /^invalid path\. admin commands are:\n {2}\/: Admin home page\n/)
    assert.match(missing.text, /\n {2}\/logging \(POST\): query\/change logging levels\n/)
    // exact path match: pilot-agent's "//server_info" (leading slash given by the user) is not /server_info
    assert.equal((await get('//server_info')).status, 404)
    assert.equal((await get('/quitquitquit')).status, 405)
    assert.equal((await get('/quitquitquit', 'POST')).text, 'OK\n')
    const listeners = await get('/listeners')
    assert.equal(listeners.text, 'virtualOutbound::0.0.0.0:15001\n')
  })

  test('state other than LIVE: /ready answers 503', {timeout: 10_000}, async () => {
    const h = envoyAdminHandler({configDump: tinyConfigDump, state: 'DRAINING'})
    const s = http.createServer(h)
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
    try {
      const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/ready`, {signal: AbortSignal.timeout(5000)})
      assert.equal(res.status, 503)
      assert.equal(await res.text(), 'DRAINING\n')
    } finally {
      await new Promise<void>((r) => s.close(() => r()))
    }
  })
})
