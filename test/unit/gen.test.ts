/**
 * The generator (src/gen): output has the shape of real Istio dumps, is internally consistent,
 * deterministic, and the streaming writer prints exactly what JSON.stringify would.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {X509Certificate} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import {fileURLToPath} from 'node:url'
import type {MeshModel, ProxyInfo} from '../../src/gen/index.js'
import {
  bookinfo,
  clustersStatus,
  configDump,
  findPod,
  iterateProxies,
  proxies,
  rootCertPem,
  syntheticMesh,
  writeConfigDump,
  writeDumpToFile,
} from '../../src/gen/index.js'
import {sharedUrl} from '../helpers/shared.js'

type J = Record<string, any>

const REAL = (name: string) => sharedUrl(`conformance/real-dumps/${name}`)
const FIXTURES = new URL('../../../test/fixtures/gen/', import.meta.url)
const CLI = fileURLToPath(new URL('../../src/gen/cli.js', import.meta.url))

function readJson(url: URL): J {
  return JSON.parse(readFileSync(url, 'utf8'))
}

const sectionTypes = (d: J): string[] => d.configs.map((c: J) => c['@type'])
const section = (d: J, name: string): J => d.configs.find((c: J) => c['@type'].endsWith(`.${name}`))
const byApp = (m: MeshModel, app: string): ProxyInfo => proxies(m).find((p) => p.app === app)!

// ---------------------------------------------------------------------------------------------------------
// Field names used at key places: the generated ones must be a subset of what real Envoy dumps use.

type Places = Map<string, Set<string>>

function collect(dump: J): Places {
  const u: Places = new Map()
  const add = (k: string, o: unknown) => {
    if (!o || typeof o !== 'object' || Array.isArray(o)) return
    const s = u.get(k) ?? new Set<string>()
    for (const key of Object.keys(o)) s.add(key)
    u.set(k, s)
  }
  const routeConfig = (rc: J) => {
    add('route_config', rc)
    for (const vh of rc.virtual_hosts ?? []) {
      add('virtual_host', vh)
      for (const r of vh.routes ?? []) {
        add('route', r)
        add('route.match', r.match)
        add('route.route', r.route)
      }
    }
  }
  const listener = (l: J) => {
    add('listener', l)
    for (const fc of [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])]) {
      add('filter_chain', fc)
      add('filter_chain_match', fc.filter_chain_match)
      for (const f of fc.filters ?? []) {
        if (f.name === 'envoy.filters.network.tcp_proxy') add('tcp_proxy', f.typed_config)
        if (f.name === 'envoy.filters.network.http_connection_manager') {
          add('http_connection_manager', f.typed_config)
          if (f.typed_config.route_config) routeConfig(f.typed_config.route_config)
        }
      }
    }
  }
  for (const c of dump.configs) {
    const t = c['@type'].split('.').pop()
    add(`section ${t}`, c)
    if (t === 'ClustersConfigDump') {
      for (const x of c.dynamic_active_clusters ?? []) {
        add('dynamic cluster entry', x)
        add('cluster', x.cluster)
      }
    }
    if (t === 'ListenersConfigDump') {
      for (const x of c.dynamic_listeners ?? []) {
        add('dynamic listener entry', x)
        if (x.active_state) {
          add('active_state', x.active_state)
          listener(x.active_state.listener)
        }
      }
      for (const x of c.static_listeners ?? []) listener(x.listener)
    }
    if (t === 'RoutesConfigDump') {
      for (const x of c.dynamic_route_configs ?? []) {
        add('dynamic route entry', x)
        routeConfig(x.route_config)
      }
    }
    if (t === 'EndpointsConfigDump') {
      for (const x of [...(c.dynamic_endpoint_configs ?? []), ...(c.static_endpoint_configs ?? [])]) {
        add('cluster_load_assignment', x.endpoint_config)
        for (const le of x.endpoint_config.endpoints ?? []) {
          add('locality_lb_endpoints', le)
          for (const lb of le.lb_endpoints ?? []) {
            add('lb_endpoint', lb)
            add('endpoint', lb.endpoint)
          }
        }
      }
    }
    if (t === 'SecretsConfigDump') {
      for (const x of c.dynamic_active_secrets ?? []) {
        add('secret entry', x)
        add('secret', x.secret)
      }
    }
    if (t === 'BootstrapConfigDump') add('node', c.bootstrap.node)
  }
  return u
}

/**
 * Valid Envoy v3 fields that none of the stored real dumps happens to exercise but that Istio emits and
 * istioctl reads: SNI matches (gateways, TLS ServiceEntries), header and regex matches and weighted
 * destinations (VirtualServices), and EcdsConfigDump (its own section, absent from the older dumps).
 */
const NOT_IN_STORED_DUMPS: Record<string, string[]> = {
  filter_chain_match: ['server_names'],
  'route.match': ['headers', 'safe_regex'],
  'route.route': ['weighted_clusters'],
  'section EcdsConfigDump': ['@type', 'ecds_filters'],
}

let realUnion: Places | undefined
function realFields(): Places {
  if (realUnion) return realUnion
  realUnion = new Map()
  for (const f of [
    'deathstarbench__istio-1.18-sidecar.json',
    'openshift-mesh__sidecar.json',
    'openshift-mesh__ingress-gateway.json',
    'consul__config_dump.json',
    'envoy-gateway__egctl-in.all.json',
    'higress__gateway-scoped-routes.json',
  ]) {
    for (const [k, s] of collect(readJson(REAL(f)))) {
      const all = realUnion.get(k) ?? new Set<string>()
      for (const x of s) all.add(x)
      realUnion.set(k, all)
    }
  }
  return realUnion
}

function assertFieldsSubset(dump: J, label: string) {
  const real = realFields()
  const problems: string[] = []
  for (const [place, fields] of collect(dump)) {
    const allowed = new Set([...(real.get(place) ?? []), ...(NOT_IN_STORED_DUMPS[place] ?? [])])
    const extra = [...fields].filter((f) => !allowed.has(f))
    if (extra.length > 0) problems.push(`${place}: ${extra.join(', ')}`)
  }
  assert.deepEqual(problems, [], `${label}: fields real dumps do not use`)
}

// ---------------------------------------------------------------------------------------------------------
// Consistency

function assertConsistent(d: J, label: string) {
  const clusters = section(d, 'ClustersConfigDump')
  const dynamic = new Map<string, J>(clusters.dynamic_active_clusters.map((x: J) => [x.cluster.name, x.cluster]))
  const known = new Set([...dynamic.keys(), ...clusters.static_clusters.map((x: J) => x.cluster.name)])
  const listeners = section(d, 'ListenersConfigDump')
  const routes = section(d, 'RoutesConfigDump')
  const rdsNames = new Set(routes.dynamic_route_configs.map((x: J) => x.route_config.name))
  const staticRoutes = routes.static_route_configs.map((x: J) => JSON.stringify({...x.route_config, '@type': undefined}))
  const problems: string[] = []

  const routedClusters = (rc: J, where: string) => {
    for (const vh of rc.virtual_hosts) {
      for (const r of vh.routes) {
        if (!r.route) continue
        const names = r.route.cluster ? [r.route.cluster] : r.route.weighted_clusters.clusters.map((c: J) => c.name)
        for (const n of names) if (!known.has(n)) problems.push(`${where} routes to missing cluster ${n}`)
      }
    }
  }
  const walkJson = (o: unknown, visit: (x: J) => void) => {
    if (Array.isArray(o)) for (const x of o) walkJson(x, visit)
    else if (o && typeof o === 'object') {
      visit(o as J)
      for (const v of Object.values(o)) walkJson(v, visit)
    }
  }

  const names = new Set<string>()
  for (const x of listeners.dynamic_listeners) {
    const l = x.active_state.listener
    if (names.has(l.name)) problems.push(`duplicate listener ${l.name}`)
    names.add(l.name)
    if (x.name !== l.name) problems.push(`listener entry ${x.name} holds ${l.name}`)
    walkJson(l, (o) => {
      if (o['@type']?.endsWith('.TcpProxy') && !known.has(o.cluster)) problems.push(`${l.name}: tcp_proxy to missing ${o.cluster}`)
      if (o['@type']?.endsWith('.HttpConnectionManager')) {
        if (o.rds && !rdsNames.has(o.rds.route_config_name)) problems.push(`${l.name}: missing RDS ${o.rds.route_config_name}`)
        if (o.route_config) {
          routedClusters(o.route_config, l.name)
          if (!staticRoutes.includes(JSON.stringify(o.route_config))) problems.push(`${l.name}: inline route not among static routes`)
        }
      }
    })
  }
  for (const x of routes.dynamic_route_configs) routedClusters(x.route_config, `route ${x.route_config.name}`)
  for (const x of routes.static_route_configs) routedClusters(x.route_config, 'static route')

  // every SDS secret referenced exists; every ECDS filter referenced exists
  const secrets = new Set(section(d, 'SecretsConfigDump').dynamic_active_secrets.map((s: J) => s.name))
  const ecds = new Set(d.configs.filter((c: J) => c['@type'].endsWith('EcdsConfigDump')).flatMap((c: J) => c.ecds_filters.map((f: J) => f.ecds_filter.name)))
  walkJson([clusters, listeners], (o) => {
    for (const key of ['tls_certificate_sds_secret_configs']) for (const s of o[key] ?? []) if (!secrets.has(s.name)) problems.push(`missing secret ${s.name}`)
    if (o.validation_context_sds_secret_config && !secrets.has(o.validation_context_sds_secret_config.name)) problems.push('missing ROOTCA')
    if (o.config_discovery && !ecds.has(o.name)) problems.push(`missing ECDS ${o.name}`)
  })

  const eds = section(d, 'EndpointsConfigDump')
  if (eds) {
    const edsNames = eds.dynamic_endpoint_configs.map((x: J) => x.endpoint_config.cluster_name)
    assert.deepEqual(new Set(edsNames), new Set(dynamic.keys()), `${label}: one assignment per dynamic cluster`)
    for (const x of eds.dynamic_endpoint_configs) {
      const c = dynamic.get(x.endpoint_config.cluster_name)!
      // endpoints only where EDS (or DNS resolution) provides them
      if (x.endpoint_config.endpoints && !['EDS', 'STRICT_DNS', 'LOGICAL_DNS'].includes(c.type)) problems.push(`${c.name}: endpoints on a ${c.type} cluster`)
    }
    for (const c of dynamic.values()) {
      if (c.type === 'EDS' && c.eds_cluster_config.service_name !== c.name) problems.push(`${c.name}: EDS service_name differs`)
    }
  }
  assert.deepEqual(problems, [], label)
}

// ---------------------------------------------------------------------------------------------------------

test('gen: Bookinfo proxies look like the docs install', () => {
  const ps = proxies(bookinfo())
  const apps = ps.map((p) => `${p.namespace}/${p.app}${p.version ? `:${p.version}` : ''}`)
  for (const a of ['default/productpage:v1', 'default/details:v1', 'default/reviews:v1', 'default/reviews:v2', 'default/reviews:v3', 'default/ratings:v1']) {
    assert.ok(apps.includes(a), a)
  }
  const gw = ps.filter((p) => p.kind === 'router')
  assert.equal(gw.length, 1)
  assert.equal(gw[0].namespace, 'istio-system')
  const pp = byApp(bookinfo(), 'productpage')
  assert.match(pp.pod, /^productpage-v1-[4-9bcdf]{6,10}-[bcdfghjklmnpqrstvwxz2-9]{5}$/)
  assert.equal(pp.replicaSet, pp.pod.slice(0, pp.pod.lastIndexOf('-')))
  assert.deepEqual(
    pp.containers.map((c) => c.name),
    ['productpage', 'istio-proxy'],
  )
  assert.equal(pp.nodeId, `sidecar~${pp.ip}~${pp.pod}.default~default.svc.cluster.local`)
  assert.ok(ps.some((p) => !p.ready), 'one pod is not Ready')
  // every proxy resolves back from its istioctl-style reference
  const m = bookinfo()
  for (const p of ps) assert.equal(findPod(m, `${p.pod}.${p.namespace}`)?.ip, p.ip)
  assert.equal(findPod(m, 'redis-1')?.namespace, 'foo')
  assert.equal(findPod(m, 'nope.default'), undefined)
})

test('gen: section types match real Istio dumps (sidecar and gateway, old and new Istio)', () => {
  const real = sectionTypes(readJson(REAL('deathstarbench__istio-1.18-sidecar.json')))
  const realGw = sectionTypes(readJson(REAL('openshift-mesh__ingress-gateway.json')))
  const old = bookinfo({istioVersion: '1.18.2'})
  // 1.18 had no ECDS telemetry: exactly the real section list (reviews has no WasmPlugin)
  assert.deepEqual(sectionTypes(configDump(old, byApp(old, 'reviews'), {includeEds: true})), real)
  assert.deepEqual(sectionTypes(configDump(old, proxies(old).find((p) => p.kind === 'router')!, {includeEds: true})), real)
  assert.deepEqual(sectionTypes(configDump(old, proxies(old).find((p) => p.kind === 'router')!)), realGw)

  // newer Istio adds ECDS sections (HTTP filters, then network filters) right after the clusters
  const m = bookinfo()
  for (const p of [byApp(m, 'productpage'), proxies(m).find((x) => x.kind === 'router')!]) {
    const types = sectionTypes(configDump(m, p, {includeEds: true}))
    assert.deepEqual(
      types.filter((t) => !t.endsWith('EcdsConfigDump')),
      real,
    )
    assert.deepEqual(types.slice(2, 4), ['type.googleapis.com/envoy.admin.v3.EcdsConfigDump', 'type.googleapis.com/envoy.admin.v3.EcdsConfigDump'])
  }
  assert.ok(!sectionTypes(configDump(m, byApp(m, 'productpage'))).some((t) => t.endsWith('EndpointsConfigDump')), 'EDS only when asked')
})

test('gen: field names at key places are a subset of what real dumps use', () => {
  const m = bookinfo()
  for (const p of proxies(m)) assertFieldsSubset(configDump(m, p, {includeEds: true}), p.pod)
  const old = bookinfo({istioVersion: '1.18.2', ignorePortInHostMatching: true, mtlsMode: 'STRICT'})
  assertFieldsSubset(configDump(old, byApp(old, 'reviews'), {includeEds: true}), 'istio 1.18 reviews')
  const s = syntheticMesh({services: 200})
  assertFieldsSubset(configDump(s, iterateProxies(s).next().value!, {includeEds: true}), 'synthetic')
})

test('gen: every proxy dump is internally consistent', () => {
  const m = bookinfo()
  for (const p of proxies(m)) assertConsistent(configDump(m, p, {includeEds: true}), `${p.pod}.${p.namespace}`)
  const strict = bookinfo({mtlsMode: 'STRICT', istioVersion: '1.20.8'})
  for (const p of proxies(strict)) assertConsistent(configDump(strict, p, {includeEds: true}), `strict ${p.pod}`)
  const s = syntheticMesh({services: 200, seed: 7})
  let k = 0
  for (const p of iterateProxies(s)) {
    if (k++ % 25 === 0 || p.kind === 'router') assertConsistent(configDump(s, p, {includeEds: true}), `synthetic ${p.pod}`)
  }
})

test('gen: Bookinfo sidecar has the Istio clusters, listeners, routes and domains', () => {
  const m = bookinfo()
  const d = configDump(m, byApp(m, 'productpage'), {includeEds: true})
  const clusters = section(d, 'ClustersConfigDump').dynamic_active_clusters.map((x: J) => x.cluster)
  const names = clusters.map((c: J) => c.name)
  assert.deepEqual([...names].sort(), names, 'clusters sorted by name')
  for (const n of [
    'BlackHoleCluster',
    'PassthroughCluster',
    'InboundPassthroughCluster',
    'inbound|9080||',
    'outbound|9080||reviews.default.svc.cluster.local',
    'outbound|9080|v1|reviews.default.svc.cluster.local',
    'outbound|9080|v3|reviews.default.svc.cluster.local',
    'outbound|15010||istiod.istio-system.svc.cluster.local',
    'outbound|443||api.github.com',
  ]) {
    assert.ok(names.includes(n), n)
  }
  const type = (n: string) => clusters.find((c: J) => c.name === n).type
  assert.equal(type('outbound|9080||reviews.default.svc.cluster.local'), 'EDS')
  assert.equal(type('outbound|6379||redis.foo.svc.cluster.local'), 'ORIGINAL_DST')
  assert.equal(type('outbound|80||httpbin.org'), 'STRICT_DNS')
  assert.equal(type('inbound|9080||'), 'ORIGINAL_DST')
  assert.equal(
    clusters.find((c: J) => c.name === 'outbound|9080|v2|reviews.default.svc.cluster.local').metadata.filter_metadata.istio.config,
    '/apis/networking.istio.io/v1/namespaces/default/destination-rule/reviews',
  )
  const statics = section(d, 'ClustersConfigDump').static_clusters.map((x: J) => x.cluster.name)
  assert.deepEqual(statics, ['agent', 'prometheus_stats', 'sds-grpc', 'xds-grpc'])

  const listeners = section(d, 'ListenersConfigDump').dynamic_listeners.map((x: J) => x.active_state.listener)
  const lnames = listeners.map((l: J) => l.name)
  for (const n of ['virtualOutbound', 'virtualInbound', '0.0.0.0_9080', '10.96.30.140_9000', '10.96.30.201_8080', '0.0.0.0_443']) assert.ok(lnames.includes(n), n)
  assert.deepEqual(
    listeners.find((l: J) => l.name === 'virtualOutbound').address,
    {socket_address: {address: '0.0.0.0', port_value: 15001}},
  )
  const l9080 = listeners.find((l: J) => l.name === '0.0.0.0_9080')
  assert.equal(l9080.filter_chains[0].filters[0].typed_config.rds.route_config_name, '9080')
  const sni = listeners.find((l: J) => l.name === '0.0.0.0_443').filter_chains[0].filter_chain_match
  assert.deepEqual(sni, {server_names: ['api.github.com']})
  assert.deepEqual(
    section(d, 'ListenersConfigDump').static_listeners.map((x: J) => x.listener.address.socket_address.port_value),
    [15090, 15021],
  )

  const routes = section(d, 'RoutesConfigDump')
  const rnames = routes.dynamic_route_configs.map((x: J) => x.route_config.name)
  for (const n of ['80', '9080', 'inventory.foo.svc.cluster.local:8080']) assert.ok(rnames.includes(n), n)
  const staticNames = routes.static_route_configs.map((x: J) => x.route_config.name)
  assert.ok(staticNames.includes('InboundPassthroughCluster'))
  assert.ok(staticNames.includes('inbound|9080||'))
  const r9080 = routes.dynamic_route_configs.find((x: J) => x.route_config.name === '9080').route_config
  const reviews = r9080.virtual_hosts.find((v: J) => v.name === 'reviews.default.svc.cluster.local:9080')
  const base = ['reviews.default.svc.cluster.local', 'reviews', 'reviews.default.svc', 'reviews.default', '10.96.213.98']
  assert.deepEqual(
    reviews.domains,
    base.flatMap((x) => [x, `${x}:9080`]),
  )
  assert.equal(reviews.routes[0].metadata.filter_metadata.istio.config, '/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews')
  assert.deepEqual(reviews.routes[0].match.headers, [{name: 'end-user', string_match: {exact: 'jason'}}])
  assert.deepEqual(
    reviews.routes[1].route.weighted_clusters.clusters.map((c: J) => c.name),
    ['outbound|9080|v1|reviews.default.svc.cluster.local', 'outbound|9080|v3|reviews.default.svc.cluster.local'],
  )
  assert.equal(r9080.virtual_hosts.at(-1).name, 'allow_any')

  // EDS: health, locality, weights, Istio workload metadata
  const eds = section(d, 'EndpointsConfigDump')
  const cla = eds.dynamic_endpoint_configs.find((x: J) => x.endpoint_config.cluster_name === 'outbound|8080||inventory.foo.svc.cluster.local').endpoint_config
  const eps = cla.endpoints.flatMap((g: J) => g.lb_endpoints)
  assert.deepEqual(eps.map((e: J) => e.health_status).sort(), ['HEALTHY', 'UNHEALTHY'])
  assert.match(cla.endpoints[0].locality.zone, /^us-east1-[bcd]$/)
  assert.equal(eps[0].load_balancing_weight, 1)
  assert.match(eps[0].metadata.filter_metadata.istio.workload, /^inventory-v1;foo;inventory;v1;Kubernetes$/)
  const pipes = eds.static_endpoint_configs.filter((x: J) => x.endpoint_config.endpoints[0].lb_endpoints[0].endpoint.address.pipe)
  assert.deepEqual(
    pipes.map((x: J) => x.endpoint_config.cluster_name),
    ['sds-grpc', 'xds-grpc'],
  )

  const boot = section(d, 'BootstrapConfigDump').bootstrap
  assert.equal(boot.node.metadata.ISTIO_VERSION, '1.24.3')
  assert.deepEqual(boot.node.user_agent_build_version.version, {major_number: 1, minor_number: 32, patch: 3})
})

test('gen: ingress gateway has router listeners, SNI, gateway routes and a credential', () => {
  const m = bookinfo()
  const gw = proxies(m).find((p) => p.kind === 'router')!
  const d = configDump(m, gw)
  const listeners = section(d, 'ListenersConfigDump').dynamic_listeners.map((x: J) => x.active_state.listener)
  assert.deepEqual(
    listeners.map((l: J) => l.name),
    ['0.0.0.0_8080', '0.0.0.0_8443'],
  )
  const tls = listeners[1].filter_chains[0]
  assert.deepEqual(tls.filter_chain_match, {server_names: ['bookinfo.example.com']})
  assert.equal(tls.transport_socket.typed_config.common_tls_context.tls_certificate_sds_secret_configs[0].name, 'kubernetes://bookinfo-credential')
  const routes = section(d, 'RoutesConfigDump').dynamic_route_configs.map((x: J) => x.route_config)
  assert.deepEqual(
    routes.map((r: J) => r.name),
    ['http.8080', 'https.8443.https.bookinfo-gateway.default'],
  )
  const paths = routes[0].virtual_hosts[0].routes.map((r: J) => r.match.path ?? `${r.match.prefix}*`)
  assert.deepEqual(paths, ['/productpage', '/static*', '/login', '/logout', '/api/v1/products*'])
  assert.equal(routes[0].virtual_hosts[0].routes[0].metadata.filter_metadata.istio.config, '/apis/networking.istio.io/v1/namespaces/default/virtual-service/bookinfo')
  const clusterNames = section(d, 'ClustersConfigDump').dynamic_active_clusters.map((x: J) => x.cluster.name)
  assert.ok(clusterNames.includes('outbound|9080||productpage.default.svc.cluster.local'))
  assert.ok(!clusterNames.includes('PassthroughCluster') && !clusterNames.some((n: string) => n.startsWith('inbound|')))
  const secrets = section(d, 'SecretsConfigDump').dynamic_active_secrets.map((s: J) => s.name)
  assert.deepEqual(secrets, ['default', 'ROOTCA', 'kubernetes://bookinfo-credential'])
})

test('gen: secrets hold real, verifiable PEM certificates per workload identity', () => {
  const m = bookinfo()
  const secretsOf = (app: string) => section(configDump(m, byApp(m, app)), 'SecretsConfigDump').dynamic_active_secrets
  const pem = (b64: string) => Buffer.from(b64, 'base64').toString('utf8')
  const [def, root] = secretsOf('reviews')
  const chain = pem(def.secret.tls_certificate.certificate_chain.inline_bytes)
  assert.equal(chain.match(/BEGIN CERTIFICATE/g)?.length, 2, 'leaf + root')
  assert.equal(pem(def.secret.tls_certificate.private_key.inline_bytes), '[redacted]')
  const leaf = new X509Certificate(chain)
  const ca = new X509Certificate(pem(root.secret.validation_context.trusted_ca.inline_bytes))
  assert.equal(leaf.subjectAltName, 'URI:spiffe://cluster.local/ns/default/sa/bookinfo-reviews')
  assert.ok(leaf.verify(ca.publicKey))
  assert.ok(ca.ca && !leaf.ca)
  assert.equal(ca.subject, 'O=cluster.local')
  assert.equal(new Date(ca.validFrom).toISOString(), '2025-01-01T00:00:00.000Z')
  assert.equal(new Date(ca.validTo).toISOString(), '2045-01-01T00:00:00.000Z')
  assert.equal(ca.toString(), rootCertPem())
  // another workload: another identity and serial, same root
  const other = new X509Certificate(pem(secretsOf('ratings')[0].secret.tls_certificate.certificate_chain.inline_bytes))
  assert.equal(other.subjectAltName, 'URI:spiffe://cluster.local/ns/default/sa/bookinfo-ratings')
  assert.notEqual(other.serialNumber, leaf.serialNumber)
  // the leaf validity is configurable
  const short = configDump(m, byApp(m, 'ratings'), {leafValidity: {notBefore: '2025-06-01T00:00:00Z', notAfter: '2025-06-02T00:00:00Z'}})
  const c = new X509Certificate(pem(section(short, 'SecretsConfigDump').dynamic_active_secrets[0].secret.tls_certificate.certificate_chain.inline_bytes))
  assert.equal(new Date(c.validTo).toISOString(), '2025-06-02T00:00:00.000Z')
})

test('gen: ECDS carries telemetry filters and WasmPlugins that listeners reference', () => {
  const m = bookinfo()
  const d: J = configDump(m, byApp(m, 'productpage'))
  const ecds = d.configs.filter((c: J) => c['@type'].endsWith('EcdsConfigDump')).map((c: J) => c.ecds_filters.map((f: J) => f.ecds_filter.name))
  assert.deepEqual(ecds, [
    ['default.productpage-headers', 'istio.io/telemetry/stats/prometheus/sidecar/Inbound/HTTP', 'istio.io/telemetry/stats/prometheus/sidecar/Outbound/HTTP'],
    ['istio.io/telemetry/stats/prometheus/sidecar/Inbound/TCP', 'istio.io/telemetry/stats/prometheus/sidecar/Outbound/TCP'],
  ])
  const wasm = d.configs[2].ecds_filters[0].ecds_filter.typed_config
  assert.equal(wasm['@type'], 'type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm')
})

test('gen: synthetic mesh has the expected number of clusters and stays small', () => {
  const n = 200
  const m = syntheticMesh({services: n})
  assert.equal(m.services.size, n + 4)
  const p = iterateProxies(m).next().value!
  const d = configDump(m, p)
  let expected = 3 // BlackHole, Passthrough, InboundPassthrough
  for (const svc of m.services) expected += svc.ports.length * (1 + (m.lookup.destinationRuleFor(svc.hostname)?.subsets.length ?? 0))
  const pod = findPod(m, `${p.pod}.${p.namespace}`)!
  expected += new Set(m.lookup.servicesOf(pod.workload).flatMap((s) => s.ports.map((x) => x.targetPort))).size
  assert.equal(section(d, 'ClustersConfigDump').dynamic_active_clusters.length, expected)
  // the mix has every cluster type a real mesh shows
  const types = new Set(section(d, 'ClustersConfigDump').dynamic_active_clusters.map((x: J) => x.cluster.type))
  assert.deepEqual([...types].sort(), ['EDS', 'ORIGINAL_DST', 'STATIC'])
  // a large model is cheap: nothing per service is materialised up front
  const before = process.memoryUsage().heapUsed
  const big = syntheticMesh({services: 70_000})
  assert.equal(big.services.size, 70_004)
  assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024, 'model for 70k services under 64 MB')
  const last = big.services.at(69_999)
  assert.equal(big.lookup.serviceByHost(last.hostname)?.clusterIP, last.clusterIP)
})

test('gen: output is deterministic', () => {
  const a = JSON.stringify(configDump(bookinfo(), byApp(bookinfo(), 'reviews'), {includeEds: true}))
  const b = JSON.stringify(configDump(bookinfo(), byApp(bookinfo(), 'reviews'), {includeEds: true}))
  assert.equal(a, b)
  const s1 = syntheticMesh({services: 300, seed: 3})
  const s2 = syntheticMesh({services: 300, seed: 3})
  const p = iterateProxies(s1).next().value!
  assert.equal(JSON.stringify(configDump(s1, p)), JSON.stringify(configDump(s2, `${p.pod}.${p.namespace}`)))
  assert.equal(JSON.stringify(clustersStatus(s1, p)), JSON.stringify(clustersStatus(s2, p)))
  assert.notEqual(JSON.stringify(configDump(syntheticMesh({services: 300, seed: 4}), iterateProxies(syntheticMesh({services: 300, seed: 4})).next().value!)), JSON.stringify(configDump(s1, p)))
})

async function streamed(m: MeshModel, p: ProxyInfo, includeEds: boolean, chunkChars?: number): Promise<string> {
  const parts: string[] = []
  await writeConfigDump(m, p, {includeEds}, async (c) => {
    parts.push(c)
    await Promise.resolve()
  }, {chunkChars})
  return parts.join('')
}

test('gen: the streaming writer prints exactly JSON.stringify(configDump())', async () => {
  const m = bookinfo()
  for (const p of [byApp(m, 'productpage'), proxies(m).find((x) => x.kind === 'router')!]) {
    const text = await streamed(m, p, true, 4096)
    const expected = JSON.stringify(configDump(m, p, {includeEds: true}), null, 2)
    assert.equal(text, expected)
    assert.deepEqual(JSON.parse(text), configDump(m, p, {includeEds: true}))
  }
  const s = syntheticMesh({services: 200})
  const p = iterateProxies(s).next().value!
  const text = await streamed(s, p, true)
  assert.deepEqual(JSON.parse(text), configDump(s, p, {includeEds: true}))
  assert.equal(text, JSON.stringify(configDump(s, p, {includeEds: true}), null, 2))
})

test('gen: /clusters?format=json has hosts with health, outlier state, weights and localities', () => {
  const m = bookinfo()
  const p = byApp(m, 'productpage')
  const cs = clustersStatus(m, p).cluster_statuses as J[]
  const dump = configDump(m, p)
  const names = [
    ...section(dump, 'ClustersConfigDump').dynamic_active_clusters.map((x: J) => x.cluster.name),
    ...section(dump, 'ClustersConfigDump').static_clusters.map((x: J) => x.cluster.name),
  ]
  assert.deepEqual(
    cs.map((c) => c.name),
    names,
  )
  const hosts = cs.flatMap((c) => (c.host_statuses ?? []).map((h: J) => ({cluster: c.name, ...h})))
  assert.ok(hosts.some((h) => h.health_status.failed_outlier_check === true && h.cluster.includes('reviews')))
  assert.ok(hosts.some((h) => h.health_status.eds_health_status === 'UNHEALTHY'))
  assert.ok(hosts.some((h) => h.address.pipe?.path === './etc/istio/proxy/XDS'))
  const h = hosts.find((x) => x.cluster === 'outbound|9080||details.default.svc.cluster.local')!
  assert.equal(h.weight, 1)
  assert.equal(h.locality.region, 'us-east1')
  assert.deepEqual(
    h.stats.map((s: J) => s.name),
    ['cx_connect_fail', 'cx_total', 'rq_error', 'rq_success', 'rq_timeout', 'rq_total', 'cx_active', 'rq_active'],
  )
})

test('gen: file writer and CLI', async () => {
  const dir = `${mkdtempSync(join(tmpdir(), 'meshctl-gen-'))}/`
  try {
    const m = syntheticMesh({services: 100})
    const p = iterateProxies(m).next().value!
    const res = await writeDumpToFile(m, p, `${dir}dump.json`, {includeEds: true})
    const text = readFileSync(`${dir}dump.json`, 'utf8')
    assert.equal(res.bytes, Buffer.byteLength(text))
    assert.deepEqual(JSON.parse(text), configDump(m, p, {includeEds: true}))

    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], {encoding: 'utf8'})
    const list = run('--scenario', 'bookinfo', '--list')
    assert.equal(list.status, 0, list.stderr)
    assert.match(list.stdout, /^NAME\s+NAMESPACE\s+KIND/)
    const pod = list.stdout.split('\n').find((l) => l.startsWith('reviews-v2-'))!.split(/\s+/)[0]
    const dump = run('--scenario', 'bookinfo', '--proxy', `${pod}.default`, '--include-eds')
    assert.equal(dump.status, 0, dump.stderr)
    assert.deepEqual(JSON.parse(dump.stdout), configDump(bookinfo(), `${pod}.default`, {includeEds: true}))
    const clusters = run('--scenario', 'synthetic', '--services', '50', '--format', 'clusters', '--out', `${dir}clusters.json`)
    assert.equal(clusters.status, 0, clusters.stderr)
    assert.ok(Array.isArray(readJson(new URL(`file://${dir}clusters.json`)).cluster_statuses))
    for (const [args, code, msg] of [
      [['--proxy', 'nope.default'], 1, /no pod "nope.default"/],
      [['--scenario', 'mars'], 2, /unknown --scenario/],
      [['--format', 'yaml'], 2, /--format must be/],
      [['--scenario', 'synthetic', '--services', '0'], 2, /positive integer/],
      [['--bogus'], 2, /Unknown option/],
    ] as const) {
      const r = run(...args)
      assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, msg)
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack trace')
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test('gen: committed fixtures are up to date (UPDATE_GEN_FIXTURES=1 rewrites them)', () => {
  const m = bookinfo()
  const pp = byApp(m, 'productpage')
  const gw = proxies(m).find((p) => p.kind === 'router')!
  const files: Record<string, unknown> = {
    'bookinfo-productpage.config_dump.json': configDump(m, pp, {includeEds: true}),
    'bookinfo-productpage.clusters.json': clustersStatus(m, pp),
    'bookinfo-ingressgateway.config_dump.json': configDump(m, gw, {includeEds: true}),
    'bookinfo-proxies.json': proxies(m),
  }
  const dir = fileURLToPath(FIXTURES)
  for (const [name, value] of Object.entries(files)) {
    const text = `${JSON.stringify(value, null, 2)}\n`
    if (process.env['UPDATE_GEN_FIXTURES'] === '1' || !existsSync(dir + name)) {
      mkdirSync(dir, {recursive: true})
      writeFileSync(dir + name, text)
    }
    assert.equal(readFileSync(dir + name, 'utf8'), text, `${name} is stale: rerun with UPDATE_GEN_FIXTURES=1`)
  }
})
